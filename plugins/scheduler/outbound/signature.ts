import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * How the fleet signs what it sends, and how a receiver checks it. The signed text is
 * `<timestamp>.<body>` (the timestamp is X-Fleet-Timestamp, Unix seconds; the body is the raw bytes
 * received), so an old delivery cannot be replayed with a new time:
 *
 *   X-Fleet-Signature-256: sha256=<hex of HMAC-SHA256(secret, timestamp + "." + body)>
 *   X-Fleet-Timestamp:     1764417600
 *   X-Fleet-Delivery:      <id, the same on every retry of one job: dedupe on it>
 *
 * A receiver recomputes the HMAC over the raw body, compares in constant time, and refuses a
 * timestamp too far from its own clock (`verifyFleetSignature` does all three).
 */
export function signBody(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export function verifyFleetSignature(input: {
  secret: string;
  body: string | Buffer;
  signature: string | undefined;
  timestamp: string | undefined;
  nowSeconds?: number;
  toleranceSeconds?: number;
}): boolean {
  const { secret, signature, timestamp } = input;
  if (signature === undefined || timestamp === undefined || !/^\d{1,12}$/.test(timestamp)) return false;
  const now = input.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - Number(timestamp)) > (input.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(
    `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(input.body).digest('hex')}`,
  );
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

import { createHmac, timingSafeEqual } from 'node:crypto';

/** `sha256=` and 64 hex digits: anything else is refused before any comparison. */
const SIGNATURE = /^sha256=([0-9a-fA-F]{64})$/;

function hmac(secret: string, parts: readonly (Buffer | string)[]): Buffer {
  const mac = createHmac('sha256', secret);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

/**
 * Compare a `sha256=<hex>` header with the HMAC of `parts` in constant time. A header of another
 * shape or length is false, never a throw (the seed crashed on one: timingSafeEqual throws when
 * the lengths differ, so both buffers here are always 32 bytes).
 */
export function signatureMatches(header: string | undefined, secret: string, parts: readonly (Buffer | string)[]) {
  const match = header === undefined ? null : SIGNATURE.exec(header.trim());
  if (!match) return false;
  const given = Buffer.from(match[1]!, 'hex');
  const expected = hmac(secret, parts);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** GitHub's X-Hub-Signature-256: HMAC-SHA256 of the raw body. */
export function githubSignature(secret: string, body: Buffer | string): string {
  return `sha256=${hmac(secret, [body]).toString('hex')}`;
}

/**
 * The fleet's X-Fleet-Signature-256: HMAC-SHA256 of `<timestamp>.<body>`, the timestamp in whole
 * seconds since the epoch (X-Fleet-Timestamp), so a captured delivery cannot be replayed later.
 */
export function fleetSignature(secret: string, timestamp: string | number, body: Buffer | string): string {
  return `sha256=${hmac(secret, [`${timestamp}.`, body]).toString('hex')}`;
}

export function fleetSignatureMatches(header: string | undefined, secret: string, timestamp: string, body: Buffer) {
  return signatureMatches(header, secret, [`${timestamp}.`, body]);
}

/**
 * Why the fleet could not be used, as one sentence plus a kind, so `fleet mcp` (which tells Claude
 * Code through its stderr) and `fleet mcp install` (which tells a person which flag to change) can
 * each word the advice for their own audience.
 */
export type BridgeErrorKind =
  /** Nothing answers at the URL (connection refused, timeout, DNS). */
  | 'unreachable'
  /** Something answers, but not as a fleet does (not JSON, unexpected shape). */
  | 'not-a-fleet'
  /** The admin key was refused: it belongs to another fleet. */
  | 'key-refused'
  /** FLEET_TOKEN was refused: expired, revoked or from another fleet. */
  | 'token-refused'
  /** The fleet answered with another error (a refused registration, a rate limit, ...). */
  | 'refused';

export class BridgeError extends Error {
  readonly kind: BridgeErrorKind;
  /** The HTTP status, when the fleet answered. */
  readonly status: number | undefined;

  constructor(kind: BridgeErrorKind, message: string, status?: number) {
    super(message);
    this.kind = kind;
    this.status = status;
  }
}

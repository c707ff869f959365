import { randomBytes } from 'node:crypto';
import type { Identity } from '../auth/identity.js';
import { type Clock, systemClock } from '../time/clock.js';

/** How long a sign-in code is good for, at most (and by default). */
export const CODE_TTL_SECONDS = 120;
/** Codes waiting at once; past it the oldest is dropped (each costs a lead's request to make). */
const MAX_PENDING = 1000;

interface Pending {
  identity: Identity;
  /** The token version of the token that asked: the minted token must be of the same one. */
  version: number;
  expiresAt: number;
}

/**
 * One-time sign-in codes for the dashboard (`fleet open`): 32 random bytes, base64url, for one
 * identity, good once and for a short while. Held in memory only: a restart forgets them, which
 * costs a new `fleet open`; nothing about them is worth storing.
 */
export class SignInCodes {
  readonly #pending = new Map<string, Pending>();
  readonly #clock: Clock;

  constructor(clock: Clock = systemClock) {
    this.#clock = clock;
  }

  create(identity: Identity, version: number, ttlSeconds = CODE_TTL_SECONDS): { code: string; expiresAt: number } {
    const now = this.#clock.now();
    for (const [code, pending] of this.#pending) if (pending.expiresAt <= now) this.#pending.delete(code);
    if (this.#pending.size >= MAX_PENDING) this.#pending.delete(this.#pending.keys().next().value!);
    const code = randomBytes(32).toString('base64url');
    const expiresAt = now + Math.min(ttlSeconds, CODE_TTL_SECONDS) * 1000;
    this.#pending.set(code, { identity, version, expiresAt });
    return { code, expiresAt };
  }

  /** The code's identity, once: the code is gone whether it was still good or not. */
  take(code: string): { identity: Identity; version: number } | undefined {
    const pending = this.#pending.get(code);
    if (!pending) return undefined;
    this.#pending.delete(code);
    if (pending.expiresAt <= this.#clock.now()) return undefined;
    return { identity: pending.identity, version: pending.version };
  }
}

import { createSecretKey, type KeyObject } from 'node:crypto';
import { SignJWT, errors as joseErrors, jwtVerify } from 'jose';
import { AGENT_ROLES, AGENT_TYPES, type AgentRole, type AgentType, type Identity } from './identity.js';

export type VerifyResult = { ok: true; identity: Identity } | { ok: false; reason: 'expired' | 'invalid' };

/** Verified tokens remembered at most; the oldest is forgotten first. */
const VERIFIED_CACHE_SIZE = 10_000;

/** Signs and verifies the fleet's HS256 JWTs. The secret never leaves this object. */
export class TokenService {
  /**
   * Tokens already verified, with their identity and expiry. Verifying costs ~0.2 ms (jose's
   * HMAC goes through WebCrypto) on every request an agent makes with the same token; a token's
   * validity cannot change before it expires, so the answer is kept until then.
   */
  readonly #verified = new Map<string, { identity: Identity; expiresAt: number }>();
  // A KeyObject made once: jose would otherwise import the raw secret on every sign and verify.
  readonly #key: KeyObject;
  readonly #expiresIn: string;

  constructor(secret: string, expiresIn: string) {
    this.#key = createSecretKey(Buffer.from(secret, 'utf8'));
    // jose reads a bare number as seconds only with a unit; the seed's JWT_EXPIRES_IN allows plain seconds.
    this.#expiresIn = /^\d+$/.test(expiresIn) ? `${expiresIn}s` : expiresIn;
  }

  async sign(identity: Identity): Promise<string> {
    return new SignJWT({
      uid: identity.uid,
      handle: identity.handle,
      teamName: identity.teamName,
      agentType: identity.agentType,
      role: identity.role,
    })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuedAt()
      .setExpirationTime(this.#expiresIn)
      .sign(this.#key);
  }

  async verify(token: string): Promise<VerifyResult> {
    const known = this.#verified.get(token);
    if (known) {
      if (Date.now() < known.expiresAt) return { ok: true, identity: known.identity };
      this.#verified.delete(token);
      return { ok: false, reason: 'expired' };
    }
    try {
      const { payload } = await jwtVerify(token, this.#key, { algorithms: ['HS256'] });
      const { uid, handle, teamName, agentType, role } = payload as Record<string, unknown>;
      if (
        typeof uid !== 'string' ||
        typeof handle !== 'string' ||
        typeof teamName !== 'string' ||
        !AGENT_TYPES.includes(agentType as AgentType) ||
        !AGENT_ROLES.includes(role as AgentRole)
      ) {
        return { ok: false, reason: 'invalid' };
      }
      const identity: Identity = { uid, handle, teamName, agentType: agentType as AgentType, role: role as AgentRole };
      if (typeof payload.exp === 'number') {
        if (this.#verified.size >= VERIFIED_CACHE_SIZE) this.#verified.delete(this.#verified.keys().next().value!);
        this.#verified.set(token, { identity, expiresAt: payload.exp * 1000 });
      }
      return { ok: true, identity };
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) return { ok: false, reason: 'expired' };
      return { ok: false, reason: 'invalid' };
    }
  }
}

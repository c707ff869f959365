import { createSecretKey, type KeyObject } from 'node:crypto';
import { SignJWT, errors as joseErrors, jwtVerify } from 'jose';
import { AGENT_ROLES, AGENT_TYPES, type AgentRole, type AgentType, type Identity } from './identity.js';

export type VerifyResult = { ok: true; identity: Identity } | { ok: false; reason: 'expired' | 'invalid' | 'revoked' };

/**
 * Says whether a token is still good for its agent: `version` is the token's `ver` claim (1 for
 * tokens minted without one). A plugin that keeps agents (auth) registers one, so that changing
 * an agent's type or role, dismissing a worker or revoking its tokens ends them at once.
 */
export type TokenCheck = (identity: Identity, version: number) => boolean | Promise<boolean>;

/** Verified tokens remembered at most; the oldest is forgotten first. */
const VERIFIED_CACHE_SIZE = 10_000;

/** Signs and verifies the fleet's HS256 JWTs. The secret never leaves this object. */
export class TokenService {
  /**
   * Tokens already verified, with their identity and expiry. Verifying costs ~0.2 ms (jose's
   * HMAC goes through WebCrypto) on every request an agent makes with the same token; a token's
   * signature and claims cannot change before it expires, so they are kept until then. Whether
   * its agent still accepts it (the checks) is asked on every verification.
   */
  readonly #verified = new Map<string, { identity: Identity; version: number; expiresAt: number }>();
  readonly #checks = new Set<TokenCheck>();
  // A KeyObject made once: jose would otherwise import the raw secret on every sign and verify.
  readonly #key: KeyObject;
  readonly #expiresIn: string;

  constructor(secret: string, expiresIn: string) {
    this.#key = createSecretKey(Buffer.from(secret, 'utf8'));
    // jose reads a bare number as seconds only with a unit; the seed's JWT_EXPIRES_IN allows plain seconds.
    this.#expiresIn = /^\d+$/.test(expiresIn) ? `${expiresIn}s` : expiresIn;
  }

  /** Add a check every verification runs (cached signatures included); returns its removal. */
  addCheck(check: TokenCheck): () => void {
    this.#checks.add(check);
    return () => this.#checks.delete(check);
  }

  /** A token for `identity`; `version` is the agent's current token version (see TokenCheck). */
  async sign(identity: Identity, version = 1): Promise<string> {
    return new SignJWT({
      uid: identity.uid,
      handle: identity.handle,
      teamName: identity.teamName,
      agentType: identity.agentType,
      role: identity.role,
      ver: version,
    })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuedAt()
      .setExpirationTime(this.#expiresIn)
      .sign(this.#key);
  }

  async verify(token: string): Promise<VerifyResult> {
    const signed = await this.#verifySignature(token);
    if (!signed.ok) return signed;
    for (const check of this.#checks) {
      if (!(await check(signed.identity, signed.version))) return { ok: false, reason: 'revoked' };
    }
    return { ok: true, identity: signed.identity };
  }

  /** The signature, the claims and the expiry: cached, since they cannot change before it expires. */
  async #verifySignature(
    token: string,
  ): Promise<{ ok: true; identity: Identity; version: number } | { ok: false; reason: 'expired' | 'invalid' }> {
    const known = this.#verified.get(token);
    if (known) {
      if (Date.now() < known.expiresAt) return { ok: true, identity: known.identity, version: known.version };
      this.#verified.delete(token);
      return { ok: false, reason: 'expired' };
    }
    try {
      const { payload } = await jwtVerify(token, this.#key, { algorithms: ['HS256'] });
      const { uid, handle, teamName, agentType, role, ver } = payload as Record<string, unknown>;
      const version = ver === undefined ? 1 : ver;
      if (
        typeof uid !== 'string' ||
        typeof handle !== 'string' ||
        typeof teamName !== 'string' ||
        !AGENT_TYPES.includes(agentType as AgentType) ||
        !AGENT_ROLES.includes(role as AgentRole) ||
        typeof version !== 'number' ||
        !Number.isSafeInteger(version)
      ) {
        return { ok: false, reason: 'invalid' };
      }
      const identity: Identity = { uid, handle, teamName, agentType: agentType as AgentType, role: role as AgentRole };
      if (typeof payload.exp === 'number') {
        if (this.#verified.size >= VERIFIED_CACHE_SIZE) this.#verified.delete(this.#verified.keys().next().value!);
        this.#verified.set(token, { identity, version, expiresAt: payload.exp * 1000 });
      }
      return { ok: true, identity, version };
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) return { ok: false, reason: 'expired' };
      return { ok: false, reason: 'invalid' };
    }
  }
}

import type { Context } from 'koa';
import type { Access } from '../access.js';
import { isAdminKey } from '../auth/admin-key.js';
import type { Identity } from '../auth/identity.js';
import type { TokenService } from '../auth/tokens.js';
import { type ApiError, fleetErrors } from './api-error.js';

/** What the Authorization header proved, decided once per request. */
export type AuthState =
  { kind: 'none' } | { kind: 'admin' } | { kind: 'agent'; identity: Identity } | { kind: 'rejected'; error: ApiError };

export interface Authenticator {
  fromHeader(header: string | undefined): Promise<AuthState>;
  tokens: TokenService;
}

export function createAuthenticator(tokens: TokenService, adminKey: () => string): Authenticator {
  return {
    tokens,
    async fromHeader(header) {
      if (!header) return { kind: 'none' };
      const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
      if (!match) return { kind: 'rejected', error: fleetErrors.FLEET_TOKEN_INVALID() };
      const credential = match[1]!;
      if (isAdminKey(credential, adminKey())) return { kind: 'admin' };
      const result = await tokens.verify(credential);
      if (result.ok) return { kind: 'agent', identity: result.identity };
      const error = {
        expired: fleetErrors.FLEET_TOKEN_EXPIRED,
        revoked: fleetErrors.FLEET_TOKEN_REVOKED,
        invalid: fleetErrors.FLEET_TOKEN_INVALID,
      }[result.reason]();
      return { kind: 'rejected', error };
    },
  };
}

export function authStateOf(ctx: Context): AuthState {
  return (ctx.state.auth as AuthState | undefined) ?? { kind: 'none' };
}

/** The caller's identity, or the seed's 401/403 when there is none. */
export function requireIdentity(state: AuthState): Identity {
  switch (state.kind) {
    case 'agent':
      return state.identity;
    case 'rejected':
      throw state.error;
    case 'admin':
      throw fleetErrors.FLEET_TOKEN_INVALID(
        {},
        { hint: 'the admin key only registers agents (POST /auth); call with the token that returns' },
      );
    default:
      throw fleetErrors.FLEET_AUTH_REQUIRED();
  }
}

/**
 * The caller an access rule lets through: public operations see a valid token's identity (or
 * none); `admin-or-lead` takes the admin key (caller undefined) or an agent token; the rest need
 * an agent token. The role check itself is `checkAccess`.
 */
export function callerFor(access: Access, state: AuthState): Identity | undefined {
  if (access === 'public') return state.kind === 'agent' ? state.identity : undefined;
  if (access === 'admin-or-lead' && state.kind === 'admin') return undefined;
  return requireIdentity(state);
}

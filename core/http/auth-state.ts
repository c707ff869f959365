import type { Context } from 'koa';
import { isAdminKey } from '../auth/admin-key.js';
import type { Identity } from '../auth/identity.js';
import type { TokenService } from '../auth/tokens.js';
import { HttpError } from './http-error.js';

/** What the Authorization header proved, decided once per request. */
export type AuthState =
  | { kind: 'none' }
  | { kind: 'admin' }
  | { kind: 'agent'; identity: Identity }
  | { kind: 'rejected'; error: HttpError };

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
      if (!match) return { kind: 'rejected', error: new HttpError(403, 'Invalid token') };
      const credential = match[1]!;
      if (isAdminKey(credential, adminKey())) return { kind: 'admin' };
      const result = await tokens.verify(credential);
      if (result.ok) return { kind: 'agent', identity: result.identity };
      return {
        kind: 'rejected',
        error: result.reason === 'expired' ? new HttpError(401, 'Token expired') : new HttpError(403, 'Invalid token'),
      };
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
      throw new HttpError(403, 'Invalid token', { hint: 'the admin key only registers agents (POST /auth); call with the token that returns' });
    default:
      throw new HttpError(401, 'Authentication required');
  }
}

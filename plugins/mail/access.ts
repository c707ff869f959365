import { forbidden, type Identity, notFound } from '../../core/index.js';
import type { AuthApi, TeamAgent } from '../auth/index.js';

/** The agent a body field names, which must be the caller or, for a lead, an agent of its team. */
export async function actingAgent(auth: AuthApi, identity: Identity, uid: string | undefined, field: string): Promise<TeamAgent> {
  if (uid === undefined || uid === identity.uid) {
    const self = await auth.agents.get(identity.uid);
    if (!self) throw notFound('Sender not found');
    return self;
  }
  if (identity.agentType !== 'team-lead') throw forbidden(`${field}: you may act only as yourself (${identity.handle}); team leads may act for their team`);
  const agent = await auth.agents.get(uid);
  if (!agent || agent.teamName !== identity.teamName) throw notFound('Sender not found');
  return agent;
}

/** A handle in a path or body (`/mail/:handle`, `from`) must be the caller's own, unless the caller leads the team. */
export function assertOwnHandle(identity: Identity, handle: string, field = 'handle'): void {
  if (handle !== identity.handle && identity.agentType !== 'team-lead') {
    throw forbidden(`${field}: you may act only as yourself (${identity.handle}); team leads may act for their team`);
  }
}

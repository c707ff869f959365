import type { Identity } from '../auth/identity.js';
import { forbidden } from './http-error.js';

/**
 * Team scoping for every resource: a name in a path or body must be the caller's own team.
 * The message names the field so a client knows what to fix.
 */
export function assertOwnTeam(identity: Identity, teamName: string | undefined, field = 'teamName'): string {
  if (teamName !== undefined && teamName !== identity.teamName) throw forbidden(`${field}: you belong to team ${identity.teamName}, not ${teamName}`);
  return identity.teamName;
}

/**
 * A body field that names an agent (`from`, `fromUid`, `uid`) must name the caller, unless the
 * caller is a team lead acting for its own team (the service then checks the agent is in it).
 */
export function assertSelfOrLead(identity: Identity, named: { uid?: string; handle?: string }, field: string): void {
  const other = (named.uid !== undefined && named.uid !== identity.uid) || (named.handle !== undefined && named.handle !== identity.handle);
  if (other && identity.agentType !== 'team-lead') {
    throw forbidden(`${field}: you may act only as yourself (${identity.handle}); team leads may act for their team`);
  }
}

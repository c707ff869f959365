import type { AgentRole, Identity } from './auth/identity.js';
import { fleetErrors } from './http/api-error.js';

/**
 * Who may call an operation, in one vocabulary for routes and tools:
 * - `public`: anyone (the caller is known when a valid token came along);
 * - `agent`: any registered agent of any role;
 * - `lead`: a team lead;
 * - `admin-or-lead`: the admin key (the caller is then undefined) or a team lead's token;
 * - `{ roles }`: an agent whose role is one of these.
 */
export type Access = 'public' | 'agent' | 'lead' | 'admin-or-lead' | { readonly roles: readonly AgentRole[] };

/** What a handler receives as its caller for an access rule. */
export type CallerOf<A extends Access> = A extends 'public' | 'admin-or-lead' ? Identity | undefined : Identity;

/**
 * Whether the caller leads its team: the one definition (core/index.js exports it) that every lead
 * check goes through, so what makes a lead can change in one place.
 */
export function isLead(caller: Identity): boolean {
  return caller.agentType === 'team-lead';
}

/** The seed's 403 `{ error: 'Insufficient permissions', required, current }`. */
export function insufficientPermissions(required: string | readonly string[], current: string) {
  return fleetErrors.FLEET_INSUFFICIENT_PERMISSIONS({}, { required, current });
}

/** Throw unless the caller leads its team. */
export function requireLead(caller: Identity): void {
  if (!isLead(caller)) throw insufficientPermissions('team-lead', caller.agentType);
}

/** Throw unless the caller may use an operation or tool with this access rule (authentication is checked before). */
export function checkAccess(access: Access, caller: Identity | undefined): void {
  if (access === 'public' || access === 'agent' || caller === undefined) return;
  if (access === 'lead' || access === 'admin-or-lead') return requireLead(caller);
  if (!access.roles.includes(caller.role)) throw insufficientPermissions(access.roles, caller.role);
}

/** How an access rule reads in docs and tool descriptions. */
export function describeAccess(access: Access): string {
  if (typeof access === 'object') return `roles: ${access.roles.join(', ')}`;
  return { public: 'public', agent: 'any agent', lead: 'team leads', 'admin-or-lead': 'admin key or team lead' }[
    access
  ];
}

/**
 * "Act as another agent": a field naming an agent (`from`, `fromUid`, `uid`, a path's `:handle`)
 * must name the caller, unless the caller leads its team (the plugin then checks that the agent is
 * in that team). Returns true when the caller acts for someone else.
 */
export function actAs(caller: Identity, named: { uid?: string; handle?: string }, field: string): boolean {
  const other =
    (named.uid !== undefined && named.uid !== caller.uid) ||
    (named.handle !== undefined && named.handle !== caller.handle);
  if (other && !isLead(caller)) throw fleetErrors.FLEET_ACT_AS_DENIED({ field, handle: caller.handle });
  return other;
}

/**
 * "The team must be mine": a team named in a path or body must be the caller's. `deny` says how
 * a mismatch answers: 403 naming both teams, or 404 as if the other team did not exist.
 * Returns the caller's team (also when none was named).
 */
export function sameTeam(
  caller: Identity,
  teamName: string | undefined,
  options: { field?: string; deny: 403 | 404 },
): string {
  if (teamName === undefined || teamName === caller.teamName) return caller.teamName;
  if (options.deny === 404) throw fleetErrors.FLEET_TEAM_NOT_FOUND({ team: teamName });
  throw fleetErrors.FLEET_OTHER_TEAM({ field: options.field ?? 'teamName', own: caller.teamName, other: teamName });
}

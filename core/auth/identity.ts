import { createHash } from 'node:crypto';

export type AgentType = 'team-lead' | 'worker';
export type AgentRole = 'coordinator' | 'worker' | 'monitor' | 'notifier' | 'merger';

export const AGENT_TYPES: readonly AgentType[] = ['team-lead', 'worker'];
export const AGENT_ROLES: readonly AgentRole[] = ['coordinator', 'worker', 'monitor', 'notifier', 'merger'];

/** Who is calling, as vouched for by a verified token. Never built from a request body. */
export interface Identity {
  uid: string;
  handle: string;
  teamName: string;
  agentType: AgentType;
  role: AgentRole;
}

/** The seed's deterministic agent id: the first 24 hex digits of sha256(`team:handle`). */
export function agentUid(teamName: string, handle: string): string {
  return createHash('sha256').update(`${teamName}:${handle}`).digest('hex').slice(0, 24);
}

/** The role an agent gets when none is asked for. */
export function defaultRole(agentType: AgentType): AgentRole {
  return agentType === 'team-lead' ? 'coordinator' : 'worker';
}

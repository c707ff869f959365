import { defineTables } from '../../core/index.js';

/** The seed's `users` table, keyed by the deterministic uid. Times are ms since the epoch. */
export interface AgentsTable {
  uid: string;
  handle: string;
  team_name: string;
  agent_type: 'team-lead' | 'worker';
  role: 'coordinator' | 'worker' | 'monitor' | 'notifier' | 'merger';
  created_at: number;
  last_seen: number | null;
}

export interface AuthTables {
  agents: AgentsTable;
}

export const authTables = defineTables<AuthTables>({
  agents: 'Registered agents: uid (sha256 of team:handle, 24 hex), handle, team, type, role, first and last seen',
});

import type { ColumnType } from 'kysely';
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
  /** Only tokens minted with this version are accepted; raising it revokes the others. */
  token_version: ColumnType<number, number | undefined, number>;
}

export interface AuthTables {
  agents: AgentsTable;
}

export const authTables = defineTables<AuthTables>({
  agents:
    'Registered agents: uid (sha256 of team:handle, 24 hex), handle, team, type, role, first and last seen, ' +
    'and the version of the tokens it accepts',
});

import type { Generated } from 'kysely';
import { defineTables } from '../../core/index.js';

export type CheckpointStatus = 'pending' | 'accepted' | 'rejected';

/** Times are ms since the epoch. */
export interface CheckpointsTable {
  /** A serial id: the seed's positive whole numbers. */
  id: Generated<number>;
  team_name: string;
  from_handle: string;
  to_handle: string;
  /** Who wrote it: from_handle, or the lead that created it for that agent. */
  created_by: string;
  /** JSON: the structured checkpoint (goal, now, test, doneThisSession, ..., files). */
  body: string;
  status: CheckpointStatus;
  /** The note given with accept or reject. */
  note: string | null;
  decided_by: string | null;
  decided_at: number | null;
  /** When an accepted checkpoint went into its recipient's first prompt (given once). */
  delivered_at: number | null;
  created_at: number;
}

export interface CheckpointsTables {
  checkpoints: CheckpointsTable;
}

export const checkpointsTables = defineTables<CheckpointsTables>({
  checkpoints:
    'Checkpoints of every team: from, to, the structured "where I am", pending/accepted/rejected, ' +
    'who decided, when it was delivered in a briefing',
});

import type { Generated } from 'kysely';
import { defineTables } from '../../../core/index.js';

/** What a flag says happened: a change to a path another holds, or outside the worker's own leases. */
export type LeaseFlagKind = 'leased' | 'outside';

/** One change a worker's turn made that its leases do not allow (times in ms since the epoch). */
export interface LeaseFlagsTable {
  id: Generated<number>;
  team_name: string;
  /** The worker whose worktree holds the change. */
  handle: string;
  repo: string;
  /** Repo-relative. */
  path: string;
  kind: LeaseFlagKind;
  /** The lease the change broke (kind `leased`); null for `outside`. */
  lease_id: string | null;
  /** Its holder; null for `outside`, or a lease of another team. */
  holder: string | null;
  /** Where it was found: `turn` (the diff after a turn), `gate` or `pre-commit`. */
  source: string;
  created_at: number;
}

export interface EnforceTables {
  lease_flags: LeaseFlagsTable;
}

export const enforceTables = defineTables<EnforceTables>({
  lease_flags:
    "Changes a worker's turn left that its leases do not allow: a path leased to another (leased) or one " +
    'outside its own leases (outside)',
});

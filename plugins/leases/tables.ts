import { defineTables } from '../../core/index.js';
import { type EnforceTables, enforceTables } from './enforce/index.js';

/** Times are ms since the epoch; JSON columns are text. */
export interface LeasesTable {
  id: string;
  team_name: string;
  /** The main working tree's absolute path (realpath'd). */
  repo: string;
  /** JSON string[]: repo-relative paths or picomatch globs, normalized. */
  paths: string;
  /** exclusive or shared. */
  mode: string;
  /** An agent handle of the team; null while a task's lease waits for an owner. */
  holder: string | null;
  task_id: string | null;
  fence: number;
  ttl_seconds: number;
  /** null: no expiry (a task's lease, bound to its task). */
  expires_at: number | null;
  created_at: number;
  created_by: string;
}

/** One row per repository: its fence counter, and the row each acquisition locks (serializes grants). */
export interface LeaseReposTable {
  repo: string;
  fence: number;
}

export interface LeaseTables {
  leases: LeasesTable;
  lease_repos: LeaseReposTable;
}

export const leaseTables = defineTables<LeaseTables>({
  leases: 'Leases on paths or globs of a repository: holder (or a waiting task), mode, fence, expiry',
  lease_repos: "Each repository's fence counter; acquisitions lock its row, so grants in a repo are serialized",
});

/** Every table of the plugin: the leases and L2's enforcement flags. */
export type AllLeaseTables = LeaseTables & EnforceTables;

export const allLeaseTables = defineTables<AllLeaseTables>({
  ...(leaseTables.descriptions as { [K in keyof LeaseTables]: string }),
  ...(enforceTables.descriptions as { [K in keyof EnforceTables]: string }),
});

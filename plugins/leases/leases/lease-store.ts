import type { Kysely, Transaction } from 'kysely';
import type { LeasesTable, LeaseTables } from '../tables.js';

export type LeaseMode = 'exclusive' | 'shared';
export const LEASE_MODES = ['exclusive', 'shared'] as const;

/** A lease as the API shows it (and as events carry it). */
export interface LeaseView {
  id: string;
  teamName: string;
  repo: string;
  paths: string[];
  mode: LeaseMode;
  /** An agent handle of the team, or null while a task's lease waits for an owner. */
  holder: string | null;
  taskId: string | null;
  fence: number;
  ttlSeconds: number;
  /** null: no expiry (a task's lease lasts while its task is owned). */
  expiresAt: string | null;
  createdAt: string;
  createdBy: string;
}
export type Lease = LeaseView;

export type Db = Kysely<LeaseTables>;
export type Trx = Transaction<LeaseTables>;

export function toView(row: LeasesTable): LeaseView {
  return {
    id: row.id,
    teamName: row.team_name,
    repo: row.repo,
    paths: JSON.parse(row.paths) as string[],
    mode: row.mode as LeaseMode,
    holder: row.holder,
    taskId: row.task_id,
    fence: Number(row.fence),
    ttlSeconds: Number(row.ttl_seconds),
    expiresAt: row.expires_at === null ? null : new Date(Number(row.expires_at)).toISOString(),
    createdAt: new Date(Number(row.created_at)).toISOString(),
    createdBy: row.created_by,
  };
}

/** Granted and not expired at `now` (a waiting task lease is not active). */
export function isActive(lease: LeaseView, now: number): boolean {
  return lease.holder !== null && (lease.expiresAt === null || Date.parse(lease.expiresAt) > now);
}

/** Every active lease of a repository, of every team (files are the repository's, not a team's). */
export async function activeInRepo(db: Db | Trx, repo: string, now: number): Promise<LeaseView[]> {
  const rows = await db
    .selectFrom('leases')
    .selectAll()
    .where('repo', '=', repo)
    .where('holder', 'is not', null)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .execute();
  return rows.map(toView);
}

/**
 * Take the repository's row for this transaction and the next fence: one UPDATE that both counts and
 * locks (PostgreSQL holds the row until commit, so grants in one repo run one after another; SQLite
 * runs one write transaction at a time anyway). A rolled-back grant leaves the number unused.
 */
export async function lockRepo(trx: Trx, repo: string): Promise<number> {
  await trx
    .insertInto('lease_repos')
    .values({ repo, fence: 0 })
    .onConflict((oc) => oc.column('repo').doNothing())
    .execute();
  const row = await trx
    .updateTable('lease_repos')
    .set((eb) => ({ fence: eb('fence', '+', 1) }))
    .where('repo', '=', repo)
    .returning('fence')
    .executeTakeFirstOrThrow();
  return Number(row.fence);
}

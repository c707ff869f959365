import type { Kysely } from 'kysely';
import type { LeaseFlag } from './events.js';
import type { EnforceTables, LeaseFlagKind, LeaseFlagsTable } from './tables.js';

export interface NewFlag {
  teamName: string;
  handle: string;
  repo: string;
  path: string;
  kind: LeaseFlagKind;
  leaseId: string | null;
  holder: string | null;
  source: string;
}

/** The lease_flags table: written by the turn diff check, read by GET /leases/flags. */
export class FlagStore {
  constructor(private readonly db: Kysely<EnforceTables>) {}

  async add(flag: NewFlag, now = Date.now()): Promise<LeaseFlag> {
    const row = {
      team_name: flag.teamName,
      handle: flag.handle,
      repo: flag.repo,
      path: flag.path,
      kind: flag.kind,
      lease_id: flag.leaseId,
      holder: flag.holder,
      source: flag.source,
      created_at: now,
    };
    const inserted = await this.db.insertInto('lease_flags').values(row).returning('id').executeTakeFirstOrThrow();
    return toFlag({ ...row, id: Number(inserted.id) });
  }

  /** A worker's open flags of this kind and path, so a change seen after every turn is flagged once. */
  async exists(
    teamName: string,
    handle: string,
    repo: string,
    path: string,
    kind: LeaseFlagKind,
    leaseId: string | null,
  ) {
    let query = this.db
      .selectFrom('lease_flags')
      .select('id')
      .where('team_name', '=', teamName)
      .where('handle', '=', handle)
      .where('repo', '=', repo)
      .where('path', '=', path)
      .where('kind', '=', kind);
    query = leaseId === null ? query.where('lease_id', 'is', null) : query.where('lease_id', '=', leaseId);
    return (await query.executeTakeFirst()) !== undefined;
  }

  async list(
    teamName: string,
    filter: { handle?: string; kind?: LeaseFlagKind; since?: number; limit: number; offset: number },
  ): Promise<LeaseFlag[]> {
    let query = this.db.selectFrom('lease_flags').selectAll().where('team_name', '=', teamName);
    if (filter.handle !== undefined) query = query.where('handle', '=', filter.handle);
    if (filter.kind !== undefined) query = query.where('kind', '=', filter.kind);
    if (filter.since !== undefined) query = query.where('created_at', '>=', filter.since);
    const rows = await query.orderBy('id', 'desc').limit(filter.limit).offset(filter.offset).execute();
    return rows.map((row) => toFlag({ ...row, id: Number(row.id) }));
  }
}

/** A stored flag as the API shows it (the row's id read as a number on either engine). */
function toFlag(row: Omit<LeaseFlagsTable, 'id' | 'team_name'> & { id: number }): LeaseFlag {
  return {
    id: row.id,
    handle: row.handle,
    repo: row.repo,
    path: row.path,
    kind: row.kind,
    leaseId: row.lease_id,
    holder: row.holder,
    source: row.source,
    createdAt: new Date(Number(row.created_at)).toISOString(),
  };
}

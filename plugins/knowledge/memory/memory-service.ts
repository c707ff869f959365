import { type Kysely, type RawBuilder, sql } from 'kysely';
import { memoryErrors } from './errors.js';
import { ftsMatch, roundScore, searchTerms, tsQuery } from './search-terms.js';
import type { MemoryEntriesTable, MemoryScope, MemoryTables } from './tables.js';

/** Which memory: a worker's own (owner = its handle) or its team's (owner ignored). */
export interface MemoryAddress {
  teamName: string;
  scope: MemoryScope;
  owner: string;
  key: string;
}

/** Who writes: from the caller's token, recorded with every version. */
export interface MemoryWriter {
  uid: string;
  handle: string;
}

export interface MemoryWrite {
  value: string;
  tags: readonly string[];
  memoryType: string;
  /**
   * Compare and set: the version the writer read (0: the key must not exist, or be deleted). A
   * different current version is a 409 and nothing is written. Omitted: the write always lands.
   */
  expectedVersion?: number;
}

/** Whose memory a query sees: the team's, and worker memory of these handles (or every worker's). */
export interface MemoryVisibility {
  team: boolean;
  workers: 'all' | readonly string[];
}

/** The seed's entry, with scope, version and provenance. Times are ISO 8601. */
export interface MemoryEntry {
  id: number;
  /** The seed's name for the owner: the worker's handle, null for team memory. */
  agentId: string | null;
  scope: MemoryScope;
  owner: string | null;
  key: string;
  value: string;
  tags: string[];
  memoryType: string;
  version: number;
  /** The seed's field; its decay was never applied, so every memory is equally relevant. */
  relevance: number;
  accessCount: number;
  createdAt: string;
  createdBy: MemoryWriter;
  updatedAt: string;
  updatedBy: MemoryWriter;
  lastAccessed: string;
}

export interface MemoryVersion {
  version: number;
  value: string;
  tags: string[];
  memoryType: string;
  deleted: boolean;
  uid: string;
  handle: string;
  at: string;
}

export interface MemoryHit {
  key: string;
  value: string;
  scope: MemoryScope;
  owner: string | null;
  updatedAt: string;
  score: number;
}

type Row = Omit<MemoryEntriesTable, 'id'> & { id: number };

/** Columns a query returns (PostgreSQL's search column stays out). */
const COLUMNS = [
  'id',
  'team_name',
  'scope',
  'owner',
  'key',
  'value',
  'tags',
  'memory_type',
  'version',
  'access_count',
  'created_at',
  'created_uid',
  'created_handle',
  'updated_at',
  'updated_uid',
  'updated_handle',
  'last_accessed',
  'deleted_at',
] as const;

const iso = (ms: unknown) => new Date(Number(ms)).toISOString();

function toEntry(row: Row): MemoryEntry {
  const owner = row.scope === 'team' ? null : row.owner;
  return {
    id: Number(row.id),
    agentId: owner,
    scope: row.scope,
    owner,
    key: row.key,
    value: row.value,
    tags: JSON.parse(row.tags) as string[],
    memoryType: row.memory_type,
    version: Number(row.version),
    relevance: 1,
    accessCount: Number(row.access_count),
    createdAt: iso(row.created_at),
    createdBy: { uid: row.created_uid, handle: row.created_handle },
    updatedAt: iso(row.updated_at),
    updatedBy: { uid: row.updated_uid, handle: row.updated_handle },
    lastAccessed: iso(row.last_accessed),
  };
}

/**
 * Agent memory of every team. Each (team, scope, owner, key) is one row holding its current
 * version; every write and delete adds a version with its writer. Writes are compare-and-set on
 * the version in one statement (an UPDATE ... WHERE version = expected, an INSERT ... ON CONFLICT),
 * so two writers that read the same version cannot both land: one gets a 409.
 */
export class MemoryService {
  readonly #db: Kysely<MemoryTables>;

  constructor(
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the plugin's guarded handle, typed here
    db: Kysely<any>,
    private readonly dialect: 'sqlite' | 'postgres',
  ) {
    this.#db = db as Kysely<MemoryTables>;
  }

  /** Write a memory; returns it at its new version. A stale expectedVersion: 409 KNOWLEDGE_MEMORY_VERSION_CONFLICT. */
  async store(address: MemoryAddress, write: MemoryWrite, writer: MemoryWriter): Promise<MemoryEntry> {
    const owner = address.scope === 'team' ? '' : address.owner;
    const now = Date.now();
    const tags = JSON.stringify(write.tags);
    const changes = {
      value: write.value,
      tags,
      memory_type: write.memoryType,
      updated_at: now,
      updated_uid: writer.uid,
      updated_handle: writer.handle,
      deleted_at: null,
    };
    return this.#db.transaction().execute(async (trx) => {
      const where = trx
        .updateTable('memory_entries')
        .where('team_name', '=', address.teamName)
        .where('scope', '=', address.scope)
        .where('owner', '=', owner)
        .where('key', '=', address.key);
      const bump = { ...changes, version: sql<number>`version + 1` };
      let row: Row | undefined;
      const expected = write.expectedVersion;
      if (expected === undefined || expected === 0) {
        const fresh = {
          team_name: address.teamName,
          scope: address.scope,
          owner,
          key: address.key,
          ...changes,
          version: 1,
          access_count: 0,
          created_at: now,
          created_uid: writer.uid,
          created_handle: writer.handle,
          last_accessed: now,
        };
        row = await trx
          .insertInto('memory_entries')
          .values(fresh)
          .onConflict((oc) =>
            expected === undefined
              ? oc
                  .columns(['team_name', 'scope', 'owner', 'key'])
                  .doUpdateSet({ ...changes, version: sql<number>`memory_entries.version + 1` })
              : oc.columns(['team_name', 'scope', 'owner', 'key']).doNothing(),
          )
          .returning(COLUMNS)
          .executeTakeFirst();
        // "Must not exist" also holds for a deleted memory: the first writer to revive it wins.
        if (!row && expected === 0)
          row = await where.set(bump).where('deleted_at', 'is not', null).returning(COLUMNS).executeTakeFirst();
      } else {
        row = await where.set(bump).where('version', '=', expected).returning(COLUMNS).executeTakeFirst();
      }
      if (!row) {
        const current = await this.#find(trx, address);
        throw this.#conflict(expected ?? 0, current);
      }
      await trx
        .insertInto('memory_versions')
        .values({
          entry_id: Number(row.id),
          version: Number(row.version),
          value: write.value,
          tags,
          memory_type: write.memoryType,
          deleted: 0,
          uid: writer.uid,
          handle: writer.handle,
          at: now,
        })
        .execute();
      return toEntry(row);
    });
  }

  #conflict(expected: number, current: Row | undefined) {
    // A deleted memory reads as absent: its version is still what a revive must name (or 0).
    const version = current ? Number(current.version) : 0;
    return memoryErrors.KNOWLEDGE_MEMORY_VERSION_CONFLICT(
      { current: version, expected },
      { field: 'expectedVersion', expectedVersion: expected, currentVersion: version, deleted: !!current?.deleted_at },
    );
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a transaction or the handle
  async #find(db: Kysely<any>, address: MemoryAddress): Promise<Row | undefined> {
    return await (db as Kysely<MemoryTables>)
      .selectFrom('memory_entries')
      .select(COLUMNS)
      .where('team_name', '=', address.teamName)
      .where('scope', '=', address.scope)
      .where('owner', '=', address.scope === 'team' ? '' : address.owner)
      .where('key', '=', address.key)
      .executeTakeFirst();
  }

  /** A live memory without counting an access. */
  async find(address: MemoryAddress): Promise<MemoryEntry | undefined> {
    const row = await this.#find(this.#db, address);
    return row && row.deleted_at === null ? toEntry(row) : undefined;
  }

  /** A live memory, counting the access (its accessCount includes this one). */
  async recall(address: MemoryAddress): Promise<MemoryEntry | undefined> {
    const row = await this.#db
      .updateTable('memory_entries')
      .set({ access_count: sql<number>`access_count + 1`, last_accessed: Date.now() })
      .where('team_name', '=', address.teamName)
      .where('scope', '=', address.scope)
      .where('owner', '=', address.scope === 'team' ? '' : address.owner)
      .where('key', '=', address.key)
      .where('deleted_at', 'is', null)
      .returning(COLUMNS)
      .executeTakeFirst();
    return row ? toEntry(row) : undefined;
  }

  /**
   * Soft delete: recall and search no longer see it, its versions stay (the delete is one, by
   * `writer`). 404 when there is no live memory, 409 on a stale expectedVersion.
   */
  async remove(address: MemoryAddress, writer: MemoryWriter, expectedVersion?: number): Promise<MemoryEntry> {
    const now = Date.now();
    return this.#db.transaction().execute(async (trx) => {
      let update = trx
        .updateTable('memory_entries')
        .set({
          version: sql<number>`version + 1`,
          deleted_at: now,
          updated_at: now,
          updated_uid: writer.uid,
          updated_handle: writer.handle,
        })
        .where('team_name', '=', address.teamName)
        .where('scope', '=', address.scope)
        .where('owner', '=', address.scope === 'team' ? '' : address.owner)
        .where('key', '=', address.key)
        .where('deleted_at', 'is', null);
      if (expectedVersion !== undefined) update = update.where('version', '=', expectedVersion);
      const row = await update.returning(COLUMNS).executeTakeFirst();
      if (!row) {
        const current = await this.#find(trx, address);
        if (!current || current.deleted_at !== null)
          throw memoryErrors.KNOWLEDGE_MEMORY_NOT_FOUND({}, { key: address.key });
        throw this.#conflict(expectedVersion ?? 0, current);
      }
      await trx
        .insertInto('memory_versions')
        .values({
          entry_id: Number(row.id),
          version: Number(row.version),
          value: row.value,
          tags: row.tags,
          memory_type: row.memory_type,
          deleted: 1,
          uid: writer.uid,
          handle: writer.handle,
          at: now,
        })
        .execute();
      return toEntry(row);
    });
  }

  /** Every version of a memory, oldest first (also of a deleted one); undefined if it never existed. */
  async history(address: MemoryAddress): Promise<{ entry: Row; versions: MemoryVersion[] } | undefined> {
    const entry = await this.#find(this.#db, address);
    if (!entry) return undefined;
    const rows = await this.#db
      .selectFrom('memory_versions')
      .selectAll()
      .where('entry_id', '=', Number(entry.id))
      .orderBy('version')
      .execute();
    const versions = rows.map((row) => ({
      version: Number(row.version),
      value: row.value,
      tags: JSON.parse(row.tags) as string[],
      memoryType: row.memory_type,
      deleted: Number(row.deleted) === 1,
      uid: row.uid,
      handle: row.handle,
      at: iso(row.at),
    }));
    return { entry, versions };
  }

  /** Live memories visible as asked, most recently written first. */
  async list(
    teamName: string,
    visibility: MemoryVisibility,
    options: { limit: number; offset?: number; memoryType?: string },
  ): Promise<MemoryEntry[]> {
    const filter = visibilityFilter(visibility);
    const type = options.memoryType === undefined ? sql`1 = 1` : sql`memory_type = ${options.memoryType}`;
    const rows = await this.#db
      .selectFrom('memory_entries')
      .select(COLUMNS)
      .where('team_name', '=', teamName)
      .where('deleted_at', 'is', null)
      .where(sql<boolean>`${filter} and ${type}`)
      .orderBy('updated_at', 'desc')
      .orderBy('id', 'desc')
      .limit(options.limit)
      .offset(options.offset ?? 0)
      .execute();
    return rows.map((row) => toEntry(row as Row));
  }

  /**
   * Full-text search over key, value and tags of live memories visible as asked, best first (key
   * words weigh most). A query without a word is a 400; no query is an engine error.
   */
  async search(
    teamName: string,
    visibility: MemoryVisibility,
    query: { query: string; limit: number; memoryType?: string },
  ): Promise<(MemoryEntry & { score: number })[]> {
    const terms = searchTerms(query.query, () => memoryErrors.KNOWLEDGE_MEMORY_EMPTY_QUERY({}, { field: 'query' }));
    const filters: RawBuilder<unknown>[] = [
      sql`e.team_name = ${teamName}`,
      sql`e.deleted_at is null`,
      visibilityFilter(visibility, 'e.'),
    ];
    if (query.memoryType !== undefined) filters.push(sql`e.memory_type = ${query.memoryType}`);
    const where = sql.join(filters, sql` and `);
    const columns = sql.join(COLUMNS.map((c) => sql.ref(`e.${c}`)));
    let rows: (Row & { score: number })[];
    if (this.dialect === 'sqlite') {
      const result = await sql<Row & { score: number }>`
        select ${columns}, -bm25(memory_fts, 4.0, 1.0, 2.0) as score
        from memory_fts join memory_entries e on e.id = memory_fts.rowid
        where memory_fts match ${ftsMatch(terms)} and ${where}
        order by bm25(memory_fts, 4.0, 1.0, 2.0), e.id
        limit ${query.limit}`.execute(this.#db);
      rows = result.rows;
    } else {
      const result = await sql<Row & { score: number }>`
        select ${columns}, ts_rank(e.search, q) as score
        from memory_entries e, to_tsquery('english', ${tsQuery(terms)}) q
        where e.search @@ q and ${where}
        order by score desc, e.id
        limit ${query.limit}`.execute(this.#db);
      rows = result.rows;
    }
    return rows.map((row) => ({ ...toEntry(row), score: roundScore(row.score) }));
  }

  /**
   * The unified search's part: the team's memory matching `query`. Without a viewer only team
   * memory; with one, also the viewer's own worker memory (a lead's: every worker's of the team).
   */
  async searchTeam(
    teamName: string,
    query: string,
    limit: number,
    viewer?: { handle: string; lead: boolean },
  ): Promise<MemoryHit[]> {
    const visibility: MemoryVisibility = {
      team: true,
      workers: viewer === undefined ? [] : viewer.lead ? 'all' : [viewer.handle],
    };
    const found = await this.search(teamName, visibility, { query, limit });
    return found.map((entry) => ({
      key: entry.key,
      value: entry.value,
      scope: entry.scope,
      owner: entry.owner,
      updatedAt: entry.updatedAt,
      score: entry.score,
    }));
  }

  /** Live memories of a team (health and status counts). */
  async countAll(teamName: string): Promise<number> {
    const row = await this.#db
      .selectFrom('memory_entries')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('team_name', '=', teamName)
      .where('deleted_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}

/** SQL for "visible": team memory if asked, worker memory of the handles asked (or all). */
function visibilityFilter(visibility: MemoryVisibility, prefix = ''): RawBuilder<unknown> {
  const scope = sql.ref(`${prefix}scope`);
  const owner = sql.ref(`${prefix}owner`);
  const parts: RawBuilder<unknown>[] = [];
  if (visibility.team) parts.push(sql`${scope} = 'team'`);
  if (visibility.workers === 'all') parts.push(sql`${scope} = 'worker'`);
  else if (visibility.workers.length > 0)
    parts.push(sql`(${scope} = 'worker' and ${owner} in (${sql.join([...visibility.workers])}))`);
  return parts.length === 0 ? sql`1 = 0` : sql`(${sql.join(parts, sql` or `)})`;
}

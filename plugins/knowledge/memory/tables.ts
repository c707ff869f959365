import type { Generated } from 'kysely';
import { defineTables } from '../../../core/index.js';

export type MemoryScope = 'worker' | 'team';

/** One memory: the current version of (team, scope, owner, key). Times are ms since the epoch. */
export interface MemoryEntriesTable {
  id: Generated<number>;
  team_name: string;
  scope: MemoryScope;
  /** The worker's handle for worker-scoped memory; '' for the team's (a unique index needs a value). */
  owner: string;
  key: string;
  value: string;
  /** JSON array of strings. */
  tags: string;
  memory_type: string;
  /** 1 on the first write, one more on each write and delete: what expectedVersion is compared with. */
  version: number;
  access_count: number;
  created_at: number;
  created_uid: string;
  created_handle: string;
  updated_at: number;
  updated_uid: string;
  updated_handle: string;
  last_accessed: number;
  /** Soft delete: the row and its history stay; recall and search no longer see it. */
  deleted_at: number | null;
}

/** Every version ever written (provenance): who wrote what, when; deletes are versions too. */
export interface MemoryVersionsTable {
  entry_id: number;
  version: number;
  value: string;
  tags: string;
  memory_type: string;
  deleted: number;
  uid: string;
  handle: string;
  at: number;
}

interface FtsTable {
  rowid: number;
  key: string;
  value: string;
  tags: string;
}

/** SQLite only: the tables FTS5 keeps its index in (never queried by the plugin). */
interface FtsShadowTable {
  [column: string]: unknown;
}

export interface MemoryTables {
  memory_entries: MemoryEntriesTable;
  memory_versions: MemoryVersionsTable;
  memory_fts: FtsTable;
  memory_fts_config: FtsShadowTable;
  memory_fts_data: FtsShadowTable;
  memory_fts_docsize: FtsShadowTable;
  memory_fts_idx: FtsShadowTable;
}

export const memoryTables = defineTables<MemoryTables>({
  memory_entries:
    "Agent memory of every team: a worker's own (scope worker) or its team's (scope team), key, value, tags, " +
    'version, who wrote it, soft delete',
  memory_versions: 'Every version of every memory: value, tags, who wrote or deleted it and when (provenance)',
  memory_fts: 'SQLite only: the FTS5 index of memory_entries (PostgreSQL: a tsvector column and a GIN index)',
  memory_fts_config: 'SQLite only: kept by FTS5 for memory_fts',
  memory_fts_data: 'SQLite only: kept by FTS5 for memory_fts',
  memory_fts_docsize: 'SQLite only: kept by FTS5 for memory_fts',
  memory_fts_idx: 'SQLite only: kept by FTS5 for memory_fts',
});

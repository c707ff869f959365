import type { Generated } from 'kysely';
import { defineTables } from '../../../core/index.js';

export type ImportType = 'static' | 'dynamic' | 'type-only';

/** A file's summary, keyed by (team, path); times are ms since the epoch; lists are JSON arrays. */
export interface TldrSummariesTable {
  id: Generated<number>;
  team_name: string;
  file_path: string;
  content_hash: string;
  summary: string;
  exports: string;
  imports: string;
  dependencies: string;
  line_count: number;
  language: string;
  created_at: number;
  updated_at: number;
  updated_by: string;
}

export interface TldrOverviewsTable {
  id: Generated<number>;
  team_name: string;
  root_path: string;
  name: string;
  description: string | null;
  /** JSON object. */
  structure: string;
  key_files: string;
  patterns: string;
  tech_stack: string;
  created_at: number;
  updated_at: number;
  updated_by: string;
}

/** fromFile imports toFile. */
export interface TldrEdgesTable {
  team_name: string;
  from_file: string;
  to_file: string;
  import_type: ImportType;
  created_at: number;
}

interface FtsTable {
  rowid: number;
  file_path: string;
  summary: string;
  exports: string;
}

/** SQLite only: the tables FTS5 keeps its index in (never queried by the plugin). */
interface FtsShadowTable {
  [column: string]: unknown;
}

export interface TldrTables {
  tldr_summaries: TldrSummariesTable;
  tldr_overviews: TldrOverviewsTable;
  tldr_edges: TldrEdgesTable;
  tldr_summaries_fts: FtsTable;
  tldr_summaries_fts_config: FtsShadowTable;
  tldr_summaries_fts_data: FtsShadowTable;
  tldr_summaries_fts_docsize: FtsShadowTable;
  tldr_summaries_fts_idx: FtsShadowTable;
}

export const tldrTables = defineTables<TldrTables>({
  tldr_summaries:
    "Code summaries of every team's files, by path: content hash, summary, exports, imports, lines, language",
  tldr_overviews: 'Codebase overviews by root path: name, description, structure, key files, patterns, tech stack',
  tldr_edges: 'The dependency graph of each team: from file, to file, import type',
  tldr_summaries_fts: 'SQLite only: the FTS5 index of tldr_summaries (PostgreSQL: a tsvector column and a GIN index)',
  tldr_summaries_fts_config: 'SQLite only: kept by FTS5 for tldr_summaries_fts',
  tldr_summaries_fts_data: 'SQLite only: kept by FTS5 for tldr_summaries_fts',
  tldr_summaries_fts_docsize: 'SQLite only: kept by FTS5 for tldr_summaries_fts',
  tldr_summaries_fts_idx: 'SQLite only: kept by FTS5 for tldr_summaries_fts',
});

import type { Generated } from 'kysely';
import { defineTables } from '../../../core/index.js';

/** A team's lmsh alias: its words (lower case, single spaces) → a command it suggests. Times are ms. */
export interface LmshAliasesTable {
  team_name: string;
  alias: string;
  command: string;
  created_by: string;
  created_at: number;
  updated_at: number;
}

/** Session text a caller gave to POST /search/index, one row per team and session id. */
export interface KnowledgeSessionTextsTable {
  id: Generated<number>;
  team_name: string;
  session_id: string;
  content: string;
  model: string | null;
  project_path: string | null;
  /** The session's time as the caller gave it (ms since the epoch). */
  at: number;
  indexed_by: string;
  indexed_at: number;
}

/** SQLite only: the FTS5 index over knowledge_session_texts (external content, kept by triggers). */
export interface KnowledgeSessionTextsFtsTable {
  rowid: number;
  content: string;
}

/** SQLite only: the tables FTS5 keeps its index in (never queried by the plugin). */
interface FtsShadowTable {
  [column: string]: unknown;
}

export interface LmshTables {
  knowledge_lmsh_aliases: LmshAliasesTable;
  knowledge_session_texts: KnowledgeSessionTextsTable;
  knowledge_session_texts_fts: KnowledgeSessionTextsFtsTable;
  knowledge_session_texts_fts_config: FtsShadowTable;
  knowledge_session_texts_fts_data: FtsShadowTable;
  knowledge_session_texts_fts_docsize: FtsShadowTable;
  knowledge_session_texts_fts_idx: FtsShadowTable;
}

export const lmshTables = defineTables<LmshTables>({
  knowledge_lmsh_aliases: 'lmsh aliases of every team: words → the shell command they suggest (never run)',
  knowledge_session_texts: 'Session text given to POST /search/index, by team and session id, for /search',
  knowledge_session_texts_fts:
    'SQLite only: the FTS5 index of knowledge_session_texts (PostgreSQL: a tsvector column and a GIN index)',
  knowledge_session_texts_fts_config: 'SQLite only: kept by FTS5 for knowledge_session_texts_fts',
  knowledge_session_texts_fts_data: 'SQLite only: kept by FTS5 for knowledge_session_texts_fts',
  knowledge_session_texts_fts_docsize: 'SQLite only: kept by FTS5 for knowledge_session_texts_fts',
  knowledge_session_texts_fts_idx: 'SQLite only: kept by FTS5 for knowledge_session_texts_fts',
});

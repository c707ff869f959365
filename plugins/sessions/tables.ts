import type { Generated } from 'kysely';
import { defineTables } from '../../core/index.js';

export type Derivation = 'root' | 'continued' | 'trimmed';

/**
 * One Claude Code session a worker ran (or one recorded by hand with POST /sessions). A worker is
 * its team, its handle and when it was spawned (`worker_created_at`): a handle spawned again is
 * another worker. Times are ms since the epoch; costs are in nano-dollars (whole numbers, so sums
 * are exact), null when unknown.
 */
export interface SessionsTable {
  id: string;
  team_name: string;
  handle: string;
  worker_created_at: number;
  /** Claude's session id (`--session-id`), when known. */
  agent_session_id: string | null;
  parent_id: string | null;
  derivation: Derivation;
  /** The task the worker held when the session started (the last one seen, if it took one later). */
  task_id: string | null;
  model: string | null;
  started_at: number;
  ended_at: number | null;
  /** trimmed, continued, replaced, dismissed, failed, ended. */
  end_reason: string | null;
  results: number;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  cost_nanos: number | null;
  /** Results whose cost the agent did not report (and no price computed). */
  unpriced_results: number;
  /** The context size the agent last reported. */
  context_tokens: number | null;
  /** JSON: the figures last reported (cumulative for the session): what the next result is a delta of. */
  reported: string | null;
  /** JSON: the checkpoint the session ended with (trim): `{ id, source, checkpoint }`. */
  checkpoint: string | null;
  /** JSON: files its agent's tool calls named, in order, without repeats (at most 200). */
  files: string | null;
  summary: string | null;
  created_by: string | null;
  updated_at: number;
}

/**
 * What each result spent, by model: one row per result and model (a result with no model figures
 * gets one row for its session's model). `result` is 1 on a result's first row, so SUM(result)
 * counts results. The key (team, handle, worker, offset, model) makes a result read twice (after
 * a server restart) count once.
 */
export interface SessionUsageTable {
  id: Generated<number>;
  team_name: string;
  handle: string;
  worker_created_at: number;
  offset: number;
  model: string;
  session_id: string;
  task_id: string | null;
  at: number;
  result: number;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  cost_nanos: number | null;
  /** reported, priced (from the config's price table), or null (unknown). */
  cost_source: string | null;
}

/** session_usage summed by hour, worker, session, task ('' for none) and model: what GET /costs reads. */
export interface SessionUsageHourlyTable {
  team_name: string;
  hour: number;
  handle: string;
  session_id: string;
  task_id: string;
  model: string;
  results: number;
  rows: number;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  /** Sum of the known costs (0 when none is known: priced_rows says how many are). */
  cost_nanos: number;
  priced_rows: number;
}

/** What agents wrote (assistant text, tool calls), indexed for search in batches. */
export interface SessionTextTable {
  id: Generated<number>;
  team_name: string;
  handle: string;
  session_id: string;
  at: number;
  /** text or tool. */
  kind: string;
  text: string;
}

/** SQLite only: the FTS5 index over session_text (external content). PostgreSQL uses a tsvector column. */
export interface SessionTextFtsTable {
  rowid: number;
  text: string;
}

/** SQLite only: the tables FTS5 keeps its index in (never queried by the plugin). */
interface FtsShadowTable {
  [column: string]: unknown;
}

export interface SessionsTables {
  sessions: SessionsTable;
  session_usage: SessionUsageTable;
  session_usage_hourly: SessionUsageHourlyTable;
  session_text: SessionTextTable;
  session_text_fts: SessionTextFtsTable;
  session_text_fts_config: FtsShadowTable;
  session_text_fts_data: FtsShadowTable;
  session_text_fts_docsize: FtsShadowTable;
  session_text_fts_idx: FtsShadowTable;
}

export const sessionsTables = defineTables<SessionsTables>({
  sessions:
    'Every Claude session a worker ran: its worker, parent (lineage), task, start and end, why it ended, ' +
    'tokens and cost, the checkpoint it ended with',
  session_usage: 'Tokens and cost of each result, by model, with its worker, task and session: the accounting',
  session_usage_hourly: 'session_usage summed by hour, worker, session, task and model (what GET /costs reads)',
  session_text: 'What agents wrote (assistant text, tool calls), by session, for search',
  session_text_fts: 'SQLite only: the FTS5 index of session_text (PostgreSQL: a tsvector column and a GIN index)',
  session_text_fts_config: 'SQLite only: kept by FTS5 for session_text_fts',
  session_text_fts_data: 'SQLite only: kept by FTS5 for session_text_fts',
  session_text_fts_docsize: 'SQLite only: kept by FTS5 for session_text_fts',
  session_text_fts_idx: 'SQLite only: kept by FTS5 for session_text_fts',
});

import type { Selectable } from 'kysely';
import { fromNanos } from './spend.js';
import type { SessionsTable } from './tables.js';

export type SessionRow = Selectable<SessionsTable>;

const ms = (value: number | null) => (value === null ? null : Number(value));
const iso = (value: number | null) => (value === null ? null : new Date(Number(value)).toISOString());

function parsed<T>(json: string | null): T | null {
  if (json === null) return null;
  try {
    return JSON.parse(json) as T;
  } catch {
    return null;
  }
}

/** Tokens and cost of a session or a group: cost null when no result's cost is known. */
export function tokensView(row: {
  results: number | string;
  input_tokens: number | string;
  output_tokens: number | string;
  cache_read_tokens: number | string;
  cache_write_tokens: number | string;
  cost_nanos: number | string | null;
  unpriced_results: number | string;
}) {
  const input = Number(row.input_tokens);
  const output = Number(row.output_tokens);
  const cacheRead = Number(row.cache_read_tokens);
  const cacheWrite = Number(row.cache_write_tokens);
  return {
    results: Number(row.results),
    inputTokens: input,
    outputTokens: output,
    cacheReadTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
    totalTokens: input + output + cacheRead + cacheWrite,
    costUsd: row.cost_nanos === null ? null : fromNanos(Number(row.cost_nanos)),
    /** Results whose cost is unknown (the agent reported none, and no price applied). */
    unpricedResults: Number(row.unpriced_results),
  };
}

/** The public shape of a session (GET /sessions/:id, lineage, lists). */
export function sessionView(row: SessionRow) {
  return {
    id: row.id,
    teamName: row.team_name,
    handle: row.handle,
    agentSessionId: row.agent_session_id,
    parentId: row.parent_id,
    derivation: row.derivation,
    taskId: row.task_id,
    model: row.model,
    startedAt: iso(row.started_at)!,
    endedAt: iso(row.ended_at),
    endReason: row.end_reason,
    ...tokensView(row),
    contextTokens: ms(row.context_tokens),
    checkpoint: parsed<unknown>(row.checkpoint),
    files: parsed<string[]>(row.files) ?? [],
    summary: row.summary,
    createdBy: row.created_by,
    workerCreatedAt: iso(row.worker_created_at),
  };
}

export type SessionView = ReturnType<typeof sessionView>;

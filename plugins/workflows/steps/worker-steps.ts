import { createHash } from 'node:crypto';
import { agentUid, type Identity } from '../../../core/index.js';
import type { WorkersApi } from '../../workers/index.js';
import type { KeptEvent, StepRun, WaitForEvent } from './kind.js';
import { apiOf, authOf } from './plugins.js';

type WorkerRow = NonNullable<Awaited<ReturnType<WorkersApi['manager']['store']['get']>>>;

/**
 * A worker's handle chosen from the execution, the step and its attempt: the same on every run of this
 * attempt (a restart re-attaches to it), another on a retry (a fresh worker). `base` (the role or the step's
 * key) keeps it readable: `scout-3f9a1c2b`.
 */
export function stepHandle(step: StepRun, base: string): string {
  const clean = base.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 30) || 'step';
  const hash = createHash('sha256')
    .update(`${step.execution.id}:${step.step.id}:${step.step.attempt}`)
    .digest('hex')
    .slice(0, 10);
  return `${clean}-${hash}`;
}

/** Who a step acts as: the execution's creator (its agent when registered; a lead of the team otherwise). */
export async function actingIdentity(step: StepRun): Promise<Identity> {
  const handle = step.execution.createdBy;
  const agent = await authOf(step).agents.findByHandle(step.team, handle);
  if (agent) return { uid: agent.uid, handle, teamName: step.team, agentType: agent.agentType, role: agent.role };
  return { uid: agentUid(step.team, handle), handle, teamName: step.team, agentType: 'team-lead', role: 'coordinator' };
}

export function workerRow(workers: WorkersApi, team: string, handle: string): Promise<WorkerRow | undefined> {
  return workers.manager.store.get(team, handle);
}

/** What a worker's finished turn says, as a step's output. */
export function workerOutput(row: WorkerRow): Record<string, unknown> {
  return {
    handle: row.handle,
    state: row.state,
    result: row.result_text,
    costUsd: row.cost_usd === null ? null : Number(row.cost_usd),
    numTurns: row.num_turns === null ? null : Number(row.num_turns),
    worktree: row.worktree_path ? { path: row.worktree_path, branch: row.worktree_branch } : null,
  };
}

/** The engine's kept events, when it keeps them (the seam in kind.ts); undefined when it does not. */
export async function keptEvent(
  step: StepRun,
  type: string,
  filter: Record<string, unknown>,
  since: number,
): Promise<KeptEvent | undefined> {
  const engine = apiOf(step).engine as { waitForEvent?: WaitForEvent } | undefined;
  if (typeof engine?.waitForEvent !== 'function') return undefined;
  return engine.waitForEvent(step.team, type, filter, since);
}

/** What changes when a worker ends a turn: its result, turns and cost (a send compares them to before it). */
export type TurnMark = { result: string | null; turns: number | null; cost: number | null };
export const turnMark = (row: WorkerRow): TurnMark => ({
  result: row.result_text,
  turns: row.num_turns === null ? null : Number(row.num_turns),
  cost: row.cost_usd === null ? null : Number(row.cost_usd),
});

/**
 * Has the worker finished a turn since `since`? The evidence, in order of strength: its `worker_result`
 * event (kept by the engine; it says whether the turn ended in an error), else its row: a result recorded
 * and the worker idle or stopped after `since`. Undefined while it is still at work.
 */
export async function finishedTurn(
  step: StepRun,
  row: WorkerRow,
  since: number,
  before?: TurnMark,
): Promise<{ ok: boolean; evidence: string } | undefined> {
  const event = await keptEvent(step, 'worker_result', { handle: row.handle }, since);
  if (event) {
    const isError = event.data.isError === true;
    return {
      ok: !isError,
      evidence: `worker ${row.handle}: worker_result event${isError ? ' (an error result)' : ''}`,
    };
  }
  const settled = row.state === 'idle' || row.state === 'stopped';
  const moved = before === undefined || JSON.stringify(turnMark(row)) !== JSON.stringify(before);
  if (settled && moved && row.result_text !== null && Number(row.updated_at) >= since)
    return { ok: true, evidence: `worker ${row.handle}: a result recorded, state ${row.state}` };
  return undefined;
}

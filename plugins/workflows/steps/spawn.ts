import { isAbsolute } from 'node:path';
import { existsSync, statSync } from 'node:fs';
import * as v from 'valibot';
import { isApiError } from '../../../core/index.js';
import type { WorkersApi } from '../../workers/index.js';
import { flag, handleField, pathField, text, typeOf } from './fields.js';
import type { StepKind, StepOutcome, StepRun } from './kind.js';
import { configOf, failed, guarded, saveMore, savedState, StepFailure, succeeded, waiting } from './outcome.js';
import { apiOf, workersOf } from './plugins.js';
import { actingIdentity, finishedTurn, keptEvent, stepHandle, workerOutput, workerRow } from './worker-steps.js';

const prompt = text({ min: 1, max: 50_000 });

/**
 * `spawn`: start a worker with a prompt and wait for its first turn's result. The seed's fields (`agentRole`,
 * `task` as the prompt, `swarmId` with '@context' for the execution's swarm) plus the spawn's own options.
 */
export const spawnConfig = v.pipe(
  v.strictObject({
    type: typeOf('spawn'),
    agentRole: v.optional(text({ min: 1, max: 50 })),
    /** The prompt (the seed's name); `prompt` is the same, give one. */
    task: v.optional(prompt),
    prompt: v.optional(prompt),
    /** A handle of your choosing; by default one from the role (or step key), the execution and the attempt. */
    handle: v.optional(handleField),
    workingDir: v.optional(pathField),
    worktree: flag,
    model: v.optional(text({ min: 1, max: 100 })),
    adapter: v.optional(v.pipe(v.string('must be a string'), v.regex(/^[a-z][a-z0-9-]{0,49}$/, 'must be an adapter'))),
    swarmId: v.optional(
      v.pipe(
        v.string('must be a string'),
        v.regex(/^(@context|[A-Za-z0-9_-]{1,100})$/, "must be a swarm id or '@context'"),
      ),
    ),
    /** Dismiss the worker once its result is in (default: it stays, for send steps and people to follow up). */
    dismissWhenDone: flag,
  }),
  v.forward(
    v.check(
      (c) => (c.task === undefined) !== (c.prompt === undefined),
      'is required: the prompt (task or prompt, one of them)',
    ),
    ['task'],
  ),
);

type SpawnConfig = v.InferOutput<typeof spawnConfig>;
type SpawnRequest = Parameters<WorkersApi['manager']['spawn']>[0];

function request(step: StepRun, config: SpawnConfig, workers: WorkersApi, handle: string): SpawnRequest {
  const adapter = config.adapter ?? workers.options.defaultAdapter;
  if (adapter !== 'claude' && !Object.hasOwn(workers.options.commands, adapter))
    throw new StepFailure(`config.adapter: '${adapter}' is not claude or a configured command`);
  const cwd = config.workingDir ?? workers.options.workingDir ?? process.cwd();
  if (!isAbsolute(cwd)) throw new StepFailure(`config.workingDir: '${cwd}' is not an absolute path`);
  if (!existsSync(cwd) || !statSync(cwd).isDirectory())
    throw new StepFailure(`config.workingDir: '${cwd}' is not a directory`);
  const swarmId = config.swarmId === '@context' ? (step.execution.swarmId ?? undefined) : config.swarmId;
  return {
    handle,
    teamName: step.team,
    adapter,
    prompt: config.task ?? config.prompt,
    cwd,
    ...(config.model !== undefined ? { model: config.model } : {}),
    ...(config.worktree !== undefined ? { worktree: config.worktree } : {}),
    ...(swarmId !== undefined ? { swarmId } : {}),
  };
}

async function start(step: StepRun, config: SpawnConfig, workers: WorkersApi, handle: string): Promise<StepOutcome> {
  const spawnedAt = apiOf(step).clock.now();
  // Saved first: after a crash from here on, the next run finds the handle and re-attaches, never spawns twice.
  await saveMore(step, { handle, spawnedAt, queueId: null });
  const spawnRequest = request(step, config, workers, handle);
  // The engine keeps an event type from the first time it is asked for: ask before the worker can answer.
  await keptEvent(step, 'worker_result', { handle }, spawnedAt);
  try {
    const result = await workers.manager.spawn(spawnRequest, await actingIdentity(step), workers.options.max);
    if (result.queued) {
      await saveMore(step, { queueId: result.id });
      return waiting();
    }
  } catch (error) {
    if (isApiError(error)) return failed(`could not spawn ${handle}: ${error.message}`);
    throw error;
  }
  return check(step);
}

async function check(step: StepRun): Promise<StepOutcome> {
  const workers = workersOf(step);
  const saved = savedState(step);
  if (typeof saved?.handle !== 'string') return failed('the spawn step has no saved worker to follow');
  const handle = saved.handle;
  const since = Number(saved.spawnedAt ?? 0);
  const row = await workerRow(workers, step.team, handle);
  if (!row) {
    const queueId = saved.queueId;
    if (typeof queueId === 'number') {
      const item = await workers.manager.queueItem(step.team, queueId);
      if (item.status === 'failed') return failed(`the queued spawn of ${handle} failed: ${item.error ?? ''}`);
      if (item.status === 'cancelled') return failed(`the queued spawn of ${handle} was cancelled`);
      return waiting();
    }
    // Saved but never spawned (the server stopped in between): spawn now.
    return start(step, configOf(spawnConfig, step), workers, handle);
  }
  if (row.state === 'failed')
    return failed(`worker ${handle} failed: ${row.error ?? 'no reason recorded'}`, {
      output: workerOutput(row),
      evidence: `worker ${handle}: state failed`,
    });
  const turn = await finishedTurn(step, row, since);
  if (turn) {
    const config = configOf(spawnConfig, step);
    if (config.dismissWhenDone && row.state !== 'stopped') await workers.manager.dismiss(step.team, handle);
    const output = { ...workerOutput(row), ...(config.dismissWhenDone ? { state: 'stopped' } : {}) };
    if (!turn.ok)
      return failed(`worker ${handle} ended its turn with an error: ${row.result_text ?? ''}`, {
        output,
        evidence: turn.evidence,
      });
    return succeeded(output, turn.evidence);
  }
  if (row.state === 'stopped' || row.state === 'stopping')
    return failed(`worker ${handle} was stopped before it gave a result`, {
      output: workerOutput(row),
      evidence: `worker ${handle}: state ${row.state}`,
    });
  return waiting();
}

export const spawnKind: StepKind = {
  type: 'spawn',
  config: spawnConfig,
  prose: ['task', 'prompt'],
  run: (step) =>
    guarded(step, async () => {
      const config = configOf(spawnConfig, step);
      const workers = workersOf(step);
      if (typeof savedState(step)?.handle === 'string') return check(step);
      return start(step, config, workers, config.handle ?? stepHandle(step, config.agentRole ?? step.step.key));
    }),
  check: (step) => guarded(step, () => check(step)),
  async cancel(step) {
    const state = savedState(step);
    const workers = apiOf(step).workers();
    if (typeof state?.handle !== 'string' || !workers) return;
    const handle = state.handle;
    if (typeof state.queueId === 'number') await workers.manager.cancelQueued(step.team, state.queueId);
    if (await workers.isLive(step.team, handle)) await workers.manager.dismiss(step.team, handle);
  },
};

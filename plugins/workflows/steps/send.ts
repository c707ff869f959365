import * as v from 'valibot';
import { isApiError } from '../../../core/index.js';
import { flag, handleField, text, typeOf } from './fields.js';
import type { StepKind, StepOutcome, StepRun } from './kind.js';
import { configOf, failed, guarded, saveMore, savedState, succeeded, waiting } from './outcome.js';
import { apiOf, workersOf } from './plugins.js';
import { finishedTurn, keptEvent, type TurnMark, turnMark, workerOutput, workerRow } from './worker-steps.js';

/**
 * `send`: a message to a running worker of the team, sent once it is between turns (a worker at work is waited
 * for, so the result awaited is this message's); by default the step waits for the turn it starts.
 */
export const sendConfig = v.strictObject({
  type: typeOf('send'),
  /** The worker (a handle, often `{{steps.<spawn step>.output.handle}}`). */
  to: handleField,
  message: text({ min: 1, max: 50_000 }),
  /** Wait for the worker's result of this turn (default true); false: succeeded once its host took the input. */
  waitForResult: flag,
});

async function check(step: StepRun): Promise<StepOutcome> {
  const config = configOf(sendConfig, step);
  const workers = workersOf(step);
  const since = Number(savedState(step)?.sentAt);
  const row = await workerRow(workers, step.team, config.to);
  if (!row) return failed(`config.to: no worker '${config.to}' in team ${step.team}`);
  if (row.state === 'failed')
    return failed(`worker ${config.to} failed: ${row.error ?? ''}`, { evidence: `worker ${config.to}: state failed` });
  const turn = await finishedTurn(step, row, since, savedState(step)?.before as TurnMark | undefined);
  if (turn && !turn.ok)
    return failed(`worker ${config.to} ended its turn with an error: ${row.result_text ?? ''}`, {
      output: workerOutput(row),
      evidence: turn.evidence,
    });
  if (turn) return succeeded(workerOutput(row), turn.evidence);
  if (row.state === 'stopped' || row.state === 'stopping')
    return failed(`worker ${config.to} stopped before it answered`, { evidence: `worker ${config.to}: ${row.state}` });
  return waiting();
}

/**
 * Delivery is at least once: `sentAt` is saved before the message goes, and `delivered` after its host took it.
 * A restart between the two sends it again (the server cannot know whether the host got it); a restart after
 * re-attaches and waits for the result.
 */
async function run(step: StepRun): Promise<StepOutcome> {
  const config = configOf(sendConfig, step);
  const workers = workersOf(step);
  const saved = savedState(step);
  if (saved?.delivered === true) return config.waitForResult === false ? delivered(step, config.to) : check(step);
  const sentAt = apiOf(step).clock.now();
  await keptEvent(step, 'worker_result', { handle: config.to }, sentAt);
  const row = await workerRow(workers, step.team, config.to);
  if (!row) return failed(`config.to: no worker '${config.to}' in team ${step.team}`);
  // A worker in the middle of a turn would answer that turn first: its result would pass for this message's.
  if (row.state === 'starting' || row.state === 'working') return waiting();
  await saveMore(step, { sentAt, delivered: false, before: turnMark(row) });
  try {
    await workers.manager.send(step.team, config.to, config.message);
  } catch (error) {
    if (isApiError(error)) return failed(`could not send to ${config.to}: ${error.message}`);
    throw error;
  }
  await saveMore(step, { delivered: true });
  return config.waitForResult === false ? delivered(step, config.to) : check(step);
}

const delivered = (step: StepRun, to: string): StepOutcome =>
  succeeded({ handle: to, delivered: true }, `worker ${to}: its host acknowledged the input`);

export const sendKind: StepKind = {
  type: 'send',
  config: sendConfig,
  prose: ['message'],
  run: (step) => guarded(step, () => run(step)),
  check: (step) => guarded(step, () => run(step)),
};

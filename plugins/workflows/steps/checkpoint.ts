import * as v from 'valibot';
import { f, isApiError } from '../../../core/index.js';
import type { CheckpointsApi } from '../../checkpoints/index.js';
import { flag, handleField, text, typeOf } from './fields.js';
import type { StepKind, StepOutcome, StepRun } from './kind.js';
import { configOf, failed, guarded, saveMore, savedState, StepFailure, succeeded, waiting } from './outcome.js';
import { checkpointsOf } from './plugins.js';

const lines = (max: number) => v.optional(f.list(text({ max: 500 }), { max, of: 'strings' }));
const LEAD = '@lead';
const who = v.literal(LEAD);

/**
 * `checkpoint`: a checkpoint (the checkpoints plugin) handed to `toHandle` ('@lead': the execution's creator),
 * from `fromHandle` (default: the creator). The seed created none; here it exists, and with `waitForAcceptance`
 * the step waits for the recipient's decision: accepted succeeds, rejected fails.
 */
export const checkpointConfig = v.strictObject({
  type: typeOf('checkpoint'),
  goal: text({ min: 1, max: 1000 }),
  now: v.optional(text({ min: 1, max: 1000 })),
  toHandle: v.union([who, handleField], "must be a handle or '@lead'"),
  fromHandle: v.optional(v.union([who, handleField], "must be a handle or '@lead'")),
  test: v.optional(text({ max: 500 })),
  next: lines(20),
  blockers: lines(20),
  questions: lines(20),
  waitForAcceptance: flag,
});

type CheckpointConfig = v.InferOutput<typeof checkpointConfig>;
type Info = Awaited<ReturnType<CheckpointsApi['require']>>;

const handleOf = (step: StepRun, handle: string) => (handle === LEAD ? step.execution.createdBy : handle);

const infoOutput = (info: Info) => ({
  checkpointId: info.id,
  goal: info.checkpoint.goal,
  fromHandle: info.fromHandle,
  toHandle: info.toHandle,
  status: info.status,
  decidedBy: info.decidedBy,
  outcome: info.outcome,
});

async function create(step: StepRun, config: CheckpointConfig, checkpoints: CheckpointsApi): Promise<Info> {
  const toHandle = handleOf(step, config.toHandle);
  const fromHandle = handleOf(step, config.fromHandle ?? LEAD);
  const saved = savedState(step);
  // A restart between the create and the save of its id: the newest pending one to toHandle of this goal, since.
  if (typeof saved?.createdAfter === 'number') {
    const latest = await checkpoints.latestFor(step.team, toHandle);
    if (latest && latest.createdAt >= saved.createdAfter && latest.checkpoint.goal === config.goal) return latest;
  }
  await saveMore(step, { createdAfter: Date.now() - 1 });
  try {
    return await checkpoints.create(step.team, {
      fromHandle,
      toHandle,
      createdBy: step.execution.createdBy,
      checkpoint: {
        goal: config.goal,
        now: config.now ?? `Handed over by step ${step.step.key} of workflow execution ${step.execution.id}`,
        ...(config.test !== undefined ? { test: config.test } : {}),
        ...(config.next !== undefined ? { next: config.next } : {}),
        ...(config.blockers !== undefined ? { blockers: config.blockers } : {}),
        ...(config.questions !== undefined ? { questions: config.questions } : {}),
      },
    });
  } catch (error) {
    if (isApiError(error)) throw new StepFailure(`could not create the checkpoint: ${error.message}`);
    throw error;
  }
}

async function run(step: StepRun): Promise<StepOutcome> {
  const config = configOf(checkpointConfig, step);
  const checkpoints = checkpointsOf(step);
  let id = savedState(step)?.checkpointId as number | undefined;
  if (id === undefined) {
    id = (await create(step, config, checkpoints)).id;
    await saveMore(step, { checkpointId: id });
  }
  const info = await checkpoints.get(step.team, id);
  if (!info) return failed(`checkpoint ${id} is gone`);
  if (!config.waitForAcceptance)
    return succeeded(infoOutput(info), `checkpoint ${info.id} created for ${info.toHandle} (status ${info.status})`);
  if (info.status === 'accepted')
    return succeeded(infoOutput(info), `checkpoint ${info.id} accepted by ${info.decidedBy ?? info.toHandle}`);
  if (info.status === 'rejected')
    return failed(
      `checkpoint ${info.id} was rejected by ${info.decidedBy ?? info.toHandle}` +
        (info.outcome ? `: ${info.outcome}` : ''),
      {
        output: infoOutput(info),
        evidence: `checkpoint ${info.id} rejected`,
      },
    );
  return waiting();
}

export const checkpointKind: StepKind = {
  type: 'checkpoint',
  config: checkpointConfig,
  run: (step) => guarded(step, () => run(step)),
};

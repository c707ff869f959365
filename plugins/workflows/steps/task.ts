import * as v from 'valibot';
import { f, isApiError } from '../../../core/index.js';
import type { TasksApi } from '../../tasks/index.js';
import { flag, handleField, text, typeOf } from './fields.js';
import type { StepKind, StepOutcome, StepRun } from './kind.js';
import { configOf, failed, guarded, saveMore, savedState, StepFailure, succeeded, waiting } from './outcome.js';
import { agentOf, creatorOf, tasksOf } from './plugins.js';

const taskRef = v.pipe(
  v.string('must be a string'),
  v.check((value) => /^[0-9a-f-]{36}$/i.test(value) || /\{\{.+\}\}/.test(value), 'must be a task id (a UUID)'),
);

/**
 * `task`: create a task (assigned to `assignTo`, who gets the [TASK] message, or left for a claim) and wait
 * until it is resolved; or, with `taskId`, wait for an existing task. The seed's `title` (or `subject`) names it.
 */
export const taskConfig = v.pipe(
  v.strictObject({
    type: typeOf('task'),
    title: v.optional(text({ min: 1, max: 200 })),
    subject: v.optional(text({ min: 1, max: 200 })),
    description: v.optional(text({ max: 10_000 })),
    /** The agent the task is for (the seed accepted this and ignored it). */
    assignTo: v.optional(handleField),
    blockedBy: v.optional(f.list(taskRef, { max: 50, of: 'task ids', unit: 'tasks' })),
    /** Wait for an existing task of the team instead of creating one. */
    taskId: v.optional(taskRef),
    /** Wait until it is resolved (default true); false: succeeded once it exists (the task's id is the output). */
    waitForResolution: flag,
  }),
  v.forward(
    v.check(
      (c) => (c.taskId !== undefined) !== (c.title !== undefined || c.subject !== undefined),
      'is required: a title for a new task, or a taskId to wait for (one of them)',
    ),
    ['title'],
  ),
  v.forward(
    v.check((c) => c.title === undefined || c.subject === undefined, 'give title or subject, not both'),
    ['subject'],
  ),
);

type TaskConfig = v.InferOutput<typeof taskConfig>;
type Task = Awaited<ReturnType<TasksApi['tasks']['require']>>;

const taskOutput = (task: Task) => ({
  taskId: task.id,
  title: task.subject,
  status: task.status,
  owner: task.ownerHandle,
});

/**
 * The task this attempt created before a restart that came between the create and the save of its id: the
 * team's newest task of this subject, created by this creator since the attempt saved `createdAfter`.
 */
async function findCreated(step: StepRun, tasks: TasksApi, subject: string, after: number): Promise<Task | undefined> {
  const creator = step.execution.createdBy;
  const recent = await tasks.tasks.list(step.team, { limit: 200, offset: 0 });
  return recent.find(
    (task) => task.subject === subject && task.createdByHandle === creator && Date.parse(task.createdAt) >= after,
  );
}

async function create(step: StepRun, config: TaskConfig, tasks: TasksApi): Promise<Task> {
  const subject = (config.title ?? config.subject)!;
  const saved = savedState(step);
  if (typeof saved?.createdAfter === 'number') {
    const found = await findCreated(step, tasks, subject, saved.createdAfter);
    if (found) return found;
  }
  const creator = await creatorOf(step);
  const owner = config.assignTo === undefined ? undefined : await agentOf(step, config.assignTo, 'config.assignTo');
  // Saved first (wall-clock ms, as tasks record theirs): a restart before the id is saved finds the task.
  await saveMore(step, { createdAfter: Date.now() - 1 });
  try {
    return await tasks.tasks.create({
      teamName: step.team,
      creator,
      owner,
      subject,
      description: config.description,
      blockedBy: config.blockedBy,
    });
  } catch (error) {
    if (isApiError(error)) throw new StepFailure(`could not create the task: ${error.message}`);
    throw error;
  }
}

async function run(step: StepRun): Promise<StepOutcome> {
  const config = configOf(taskConfig, step);
  const tasks = tasksOf(step);
  let taskId = savedState(step)?.taskId as string | undefined;
  if (taskId === undefined) {
    taskId = config.taskId ?? (await create(step, config, tasks)).id;
    await saveMore(step, { taskId });
  }
  const task = await tasks.tasks.get(step.team, taskId);
  if (!task) return failed(`task ${taskId} is not a task of team ${step.team} (or was deleted)`);
  if (task.status === 'resolved') return succeeded(taskOutput(task), `task ${task.id} resolved (at ${task.updatedAt})`);
  if (config.waitForResolution === false)
    return succeeded(taskOutput(task), `task ${task.id} exists (status ${task.status}); not waited for`);
  return waiting();
}

export const taskKind: StepKind = {
  type: 'task',
  config: taskConfig,
  // Not the title: at most 200 characters, and agents read the description.
  prose: ['description'],
  run: (step) => guarded(step, () => run(step)),
};

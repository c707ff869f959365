import { isApiError, type PluginContext } from '../../../core/index.js';
import type { LeasesApi } from '../index.js';

/**
 * Task paths: a task's declared leases follow its owner. The admission grants them before a task is
 * given an owner (a conflict refuses the assignment or claim); task events put them back to waiting
 * when the task is resolved or loses its owner, and re-grant them when its owner changes some other
 * way (or a claim that was admitted lost its race). So two tasks with overlapping paths are never
 * owned at once. Returns the stopper.
 */
export function startTaskPaths(ctx: Pick<PluginContext, 'events' | 'log'>, api: LeasesApi): () => void {
  const stoppers: (() => void)[] = [];
  const tasks = api.tasks();
  if (tasks)
    stoppers.push(
      tasks.addAdmission(async (request) => {
        await api.leases.grantTask(request.teamName, request.taskId, request.ownerHandle);
      }),
    );
  // One task at a time, in order: two events of one task must not race.
  let chain: Promise<unknown> = Promise.resolve();
  stoppers.push(
    ctx.events.on(['task_updated', 'task_resolved'], (event) => {
      const { task } = event.data;
      chain = chain.then(async () => {
        try {
          if (task.status === 'resolved' || task.ownerHandle === null) await api.leases.waitTask(event.team, task.id);
          else await api.leases.grantTask(event.team, task.id, task.ownerHandle);
        } catch (error) {
          // A task owned without its leases (a conflict after the fact): said in the log and lease:conflict.
          if (!isApiError(error)) ctx.log.warn('task lease upkeep failed', { taskId: task.id, error: String(error) });
        }
      });
    }),
  );
  return () => {
    for (const stop of stoppers) stop();
  };
}

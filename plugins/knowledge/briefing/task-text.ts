import type { TasksApi } from '../../tasks/index.js';
import type { WorkersApi } from '../../workers/index.js';

/**
 * What a worker works on, as text to find facts for: its spawn prompt and the subjects and
 * descriptions of the tasks it holds (not resolved). Empty when neither plugin knows anything.
 */
export async function workerTaskText(
  plugins: { tasks: TasksApi | undefined; workers: WorkersApi | undefined },
  teamName: string,
  handle: string,
): Promise<string> {
  const parts: string[] = [];
  const held = plugins.tasks
    ? await plugins.tasks.tasks.list(teamName, { ownerHandle: handle, limit: 10, offset: 0 })
    : [];
  for (const task of held) if (task.status !== 'resolved') parts.push(task.subject, task.description ?? '');
  const row = plugins.workers ? await plugins.workers.manager.store.get(teamName, handle) : undefined;
  if (row?.prompt) parts.push(row.prompt);
  return parts.join('\n');
}

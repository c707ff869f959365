import type { Identity } from '../../../core/index.js';
import { type PheromoneService, TEAM_TRAILS } from './pheromone-service.js';

/** The least a task needs to look like: the tasks plugin's TeamTask. */
export interface TaskLike {
  id: string;
  description: string | null;
}

/**
 * The files a task names: every `Files:` line of its description (paths separated by commas or
 * spaces, `./` dropped), e.g. "Files: src/a.ts, src/b.ts". Tasks have no metadata column; a line
 * anyone can write keeps this usable from team_assign and the seed's routes alike.
 */
export function taskFiles(task: TaskLike): string[] {
  if (!task.description) return [];
  const files: string[] = [];
  for (const match of task.description.matchAll(/^[ \t]*files?[ \t]*:[ \t]*(.+)$/gim)) {
    for (const word of match[1]!.split(/[,\s]+/)) {
      const path = word.replace(/^`|`$/g, '').replace(/^\.\//, '');
      if (path !== '' && path.length <= 500) files.push(path);
    }
  }
  return files.slice(0, 100);
}

/**
 * Cold files first: each task's heat is the sum of the weighted, decayed trails other agents left on
 * its files in the caller's trail space; tasks keep their order among equals (a stable sort).
 */
export async function rankColdFirst<T extends TaskLike>(
  deps: { service: PheromoneService; swarmOf(teamName: string, handle: string): Promise<string | undefined> },
  caller: Identity,
  tasks: readonly T[],
): Promise<readonly T[]> {
  const files = tasks.map((task) => taskFiles(task));
  const all = files.flat();
  if (all.length === 0) return tasks;
  const space = (await deps.swarmOf(caller.teamName, caller.handle)) ?? TEAM_TRAILS;
  const heat = await deps.service.heat(caller.teamName, space, all, { exclude: caller.handle });
  if (heat.size === 0) return tasks;
  const scored = tasks.map((task, index) => ({
    task,
    index,
    heat: files[index]!.reduce((sum, file) => sum + (heat.get(file) ?? 0), 0),
  }));
  scored.sort((a, b) => a.heat - b.heat || a.index - b.index);
  return scored.map((s) => s.task);
}

import type { PluginContext } from '../../../core/index.js';
import type { PolicyApi } from '../../policy/index.js';
import type { TasksApi } from '../../tasks/index.js';
import type { WorkersApi } from '../../workers/index.js';
import { AutoTrails } from './auto-trails.js';
import { rankColdFirst } from './cold-tasks.js';
import { type HotEditDeps, hotEditWarning, hotFilesBriefing } from './hot-edit.js';
import type { PheromoneService } from './pheromone-service.js';

/** What startAutoTrails needs of the swarm plugin's api. */
export interface AutoTrailsApi {
  pheromones: PheromoneService;
  swarms: { swarmOf(teamName: string, handle: string): Promise<string | undefined> };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any plugin's context
type AnyContext = PluginContext<any, any>;

/**
 * Trails deposited from what workers do, and their use: call in the swarm plugin's start; call the
 * returned stopper in its stop (it removes every hook and writes the trails still queued).
 * - workers plugin: a transcript listener (touch, modify, error, success trails; see auto-trails.ts);
 * - policy plugin: a context source warning an edit of a file another live worker modified recently;
 *   without it, a briefing source listing those files in a worker's first prompt;
 * - tasks plugin: a suggestion ranker putting tasks whose files are cold first for workers.
 */
export function startAutoTrails(api: AutoTrailsApi, ctx: AnyContext): () => Promise<void> {
  const workers = ctx.use<WorkersApi | undefined>('workers');
  const policy = ctx.use<PolicyApi | undefined>('policy');
  const tasks = ctx.use<TasksApi | undefined>('tasks');
  const swarmOf = (teamName: string, handle: string) => api.swarms.swarmOf(teamName, handle);
  const placeOf = async (teamName: string, handle: string) => {
    const row = await ctx.use<WorkersApi | undefined>('workers')?.manager.store.get(teamName, handle);
    return row ? { cwd: row.cwd, worktree: row.worktree_path } : undefined;
  };
  const removers: (() => void)[] = [];
  let trails: AutoTrails | undefined;
  if (workers) {
    trails = new AutoTrails({ service: api.pheromones, log: ctx.log, placeOf, swarmOf });
    const listener = trails.listener;
    removers.push(workers.addTranscriptListener((batch) => listener(batch)));
  }
  const deps: HotEditDeps = {
    service: api.pheromones,
    swarmOf,
    placeOf,
    isLive: async (teamName, handle) =>
      (await ctx.use<WorkersApi | undefined>('workers')?.isLive(teamName, handle)) ?? false,
    now: () => api.pheromones.now(),
  };
  if (policy) {
    removers.push(
      policy.addContextSource({
        name: 'pheromones',
        context: (caller, request) => hotEditWarning(deps, caller, request),
      }),
    );
  } else if (workers) {
    removers.push(
      workers.addBriefingSource({
        name: 'pheromones',
        briefing: (team, handle) => hotFilesBriefing(deps, team, handle),
      }),
    );
  }
  if (tasks) {
    removers.push(
      tasks.addSuggestionRanker({
        name: 'pheromones',
        rank: (caller, list) => rankColdFirst({ service: api.pheromones, swarmOf }, caller, list),
      }),
    );
  }
  let stopped = false;
  return async () => {
    if (stopped) return;
    stopped = true;
    for (const remove of removers) remove();
    await trails?.stop();
  };
}

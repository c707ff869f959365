import type { PluginContext } from '../../../core/index.js';
import type { OrchestrateService } from './service.js';

export { orchestrateOperations } from './operations-orchestrate.js';
export type { OrchestrateApiPart } from './operations-orchestrate.js';
export { orchestrateTables } from './tables.js';
export type { OrchestrateTables } from './tables.js';
export { orchestrateErrors } from './errors.js';
export { orchestrateEvents } from './events.js';
export type { RepoResult, WaveWorkerResult } from './events.js';
export { orchestrateMigration } from '../migrations/0002-orchestrate.js';
export { OrchestrateService } from './service.js';
export type { OrchestrateDeps } from './service.js';

/**
 * Listen for workers' results (the evidence a prompt worker succeeded) and drive runs, resuming
 * those a stop or a crash left running. Returns the stopper: runs stay in the database, running.
 */
export async function startOrchestrate(
  api: { orchestrate: OrchestrateService },
  ctx: Pick<PluginContext, 'events'>,
): Promise<() => Promise<void>> {
  const off = ctx.events.on('worker_result', (event) =>
    api.orchestrate.heardResult(event.team, event.data.handle, event.data.isError, event.data.result),
  );
  await api.orchestrate.start();
  return async () => {
    off();
    await api.orchestrate.stop();
  };
}

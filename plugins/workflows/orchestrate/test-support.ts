import { definePlugin } from '../../../core/index.js';
import type { WorkersApi } from '../../workers/index.js';
import {
  OrchestrateService,
  orchestrateErrors,
  orchestrateEvents,
  orchestrateMigration,
  orchestrateOperations,
  orchestrateTables,
  startOrchestrate,
} from './index.js';

/**
 * The orchestrate part alone as the `workflows` plugin, for this folder's suites (given to the
 * fleet as an extra plugin, it stands in for the whole plugin): the part's own operations, tables,
 * events and background driver, wired as the plugin's index wires them. Short leases, so a resume
 * after a restart comes quickly.
 */
export function orchestratePlugin(options: { leaseMs?: number; sweepMs?: number } = {}) {
  let stopper: (() => Promise<void>) | undefined;
  return definePlugin({
    name: 'workflows',
    dependsOn: ['auth'],
    optionalDependsOn: ['workers'],
    tables: orchestrateTables,
    migrations: { '0002_orchestrate': orchestrateMigration },
    errors: orchestrateErrors,
    events: orchestrateEvents,
    operations: orchestrateOperations,
    setup(ctx) {
      return {
        orchestrate: new OrchestrateService({
          db: ctx.db,
          emit: ctx.events.emit,
          log: ctx.log,
          dataDir: ctx.config.dataDir,
          workers: () => ctx.use<WorkersApi | undefined>('workers'),
          leaseMs: options.leaseMs ?? 3000,
          sweepMs: options.sweepMs ?? 300,
        }),
      };
    },
    async start(ctx, api) {
      stopper = await startOrchestrate(api, ctx);
    },
    async stop() {
      await stopper?.();
      stopper = undefined;
    },
  });
}

/**
 * The plugins a suite boots besides those found in plugins/: none once the workflows plugin wires
 * this part (the suites then run through the real plugin), else the part alone as the plugin.
 * ORCHESTRATE_PART_ALONE=1 boots the part alone anyway.
 */
export async function partPlugins(): Promise<ReturnType<typeof orchestratePlugin>[]> {
  if (process.env.ORCHESTRATE_PART_ALONE !== '1') {
    const real = (await import('../index.js').catch(() => undefined)) as
      { workflows?: { operations?: readonly { name: string }[] } } | undefined;
    if (real?.workflows?.operations?.some((operation) => operation.name === 'startWaves')) return [];
  }
  return [orchestratePlugin()];
}

import type { Logger, PluginContext } from '../../../core/index.js';
import type { SwarmApi } from '../../swarm/index.js';
import type { PayoffService } from './payoff-service.js';

/**
 * Pay a task's payoffs on its verified completion: task_resolved from the tasks plugin, resolved by a
 * lead or a reviewer (the swarm plugin's rule), never on the owner's own word. Every delivery tries; the
 * ledger's event key and the conditional record make it pay once. Returns the stopper.
 */
export function startPayouts(
  api: { payoffs: PayoffService; swarm(): Pick<SwarmApi, 'verifiedResolution'> },
  ctx: { events: Pick<PluginContext['events'], 'on'>; log: Logger },
): () => void {
  return ctx.events.on('task_resolved', (event) => {
    const { task, resolvedBy } = event.data;
    if (!task.ownerHandle || !api.swarm().verifiedResolution(task, resolvedBy)) return;
    void api.payoffs
      .pay(event.team, task)
      .catch((error: unknown) =>
        ctx.log.warn('governance: payoffs not paid', { taskId: task.id, error: (error as Error).message }),
      );
  });
}

import type { Logger, PluginContext } from '../../../core/index.js';
import type { PayoffService } from './payoff-service.js';

/**
 * Whether a resolution is verified: by a team lead, or by another agent than the owner (a reviewer).
 * The swarm plugin pays by the same rule (its credits/outcomes.ts verifiedResolution); a plugin may
 * import another's index for types only, so the rule is repeated here until SwarmApi carries it.
 */
export function verifiedResolution(
  task: { ownerHandle: string | null },
  by: { handle: string; type: string } | null | undefined,
): boolean {
  if (!by) return false;
  return by.type === 'team-lead' || by.handle !== task.ownerHandle;
}

/**
 * Pay a task's payoffs on its verified completion: task_resolved from the tasks plugin, resolved by a
 * lead or a reviewer, never on the owner's own word. Every delivery tries; the ledger's event key and
 * the conditional record make it pay once. Returns the stopper.
 */
export function startPayouts(
  api: { payoffs: PayoffService },
  ctx: { events: Pick<PluginContext['events'], 'on'>; log: Logger },
): () => void {
  return ctx.events.on('task_resolved', (event) => {
    const { task, resolvedBy } = event.data;
    if (!task.ownerHandle || !verifiedResolution(task, resolvedBy)) return;
    void api.payoffs
      .pay(event.team, task)
      .catch((error: unknown) =>
        ctx.log.warn('governance: payoffs not paid', { taskId: task.id, error: (error as Error).message }),
      );
  });
}

import type { Logger } from '../../../core/index.js';
import type { SwarmOptions } from '../options.js';
import type { SwarmService } from '../swarms/swarm-service.js';
import type { CreditsService } from './credits-service.js';

/** What this part reads of the tasks plugin's and budgets plugin's events (structural). */
export interface TaskLike {
  id: string;
  ownerHandle: string | null;
  status: string;
  createdAt: string;
  updatedAt: string;
}

/** Who resolved a task, as the tasks plugin's task_resolved says (structural; null: no agent). */
export interface ResolverLike {
  handle: string;
  type: string;
}

/**
 * Whether a resolution is verified: by a team lead, or by another agent than the owner (a reviewer).
 * The owner closing its own task (team_complete) is its own word, and no resolver at all is nobody's.
 */
export function verifiedResolution(task: Pick<TaskLike, 'ownerHandle'>, by: ResolverLike | null | undefined): boolean {
  if (!by) return false;
  return by.type === 'team-lead' || by.handle !== task.ownerHandle;
}

/**
 * Credits and reputation move on verified outcomes only, each a ledger row naming its event, keyed
 * so a replayed event pays once:
 * - task_resolved, verified (resolved by a lead or by another agent than the owner): the owner (a worker
 *   of a swarm) earns `taskResolved.credits` and a success step, plus `budgetRespected.credits` when no
 *   budget paused it since the task was created. The owner resolving its own task earns nothing and
 *   writes no row (its reopening then takes nothing back);
 * - task_updated of a resolved task back to another status (reopened): what its resolution paid is
 *   taken back (a penalty) with a failure step;
 * - policy_violation: the agent pays `policyViolation.credits` (what it has) with a failure step;
 * - budget_exceeded: each worker it paused pays `budgetExceeded.credits` with a failure step.
 * What an agent says about itself (a "done" in mail, a claim) is no event here: it earns nothing.
 */
export class Outcomes {
  constructor(
    private readonly deps: {
      swarms: SwarmService;
      credits: CreditsService;
      options: () => SwarmOptions;
      log: Logger;
    },
  ) {}

  async #swarm(teamName: string, handle: string | null): Promise<string | undefined> {
    if (!handle) return undefined;
    return this.deps.swarms.swarmOf(teamName, handle);
  }

  async taskResolved(teamName: string, task: TaskLike, resolvedBy: ResolverLike | null | undefined): Promise<void> {
    if (!task.ownerHandle || !verifiedResolution(task, resolvedBy)) return;
    const swarmId = await this.#swarm(teamName, task.ownerHandle);
    if (!swarmId) return;
    const options = this.deps.options();
    const handle = task.ownerHandle;
    const at = `${task.id}@${task.updatedAt}`;
    await this.deps.credits.apply(teamName, swarmId, handle, {
      type: 'earn',
      amount: options.taskResolved.credits,
      reference: { type: 'task', id: task.id },
      reason: `task resolved: ${task.id}`,
      eventKey: `task_resolved:${at}`,
      reputation: { success: true, weight: options.taskResolved.weight },
    });
    if (options.budgetRespected.credits <= 0 || !this.budgetsOn()) return;
    // Respected: no budget paused the owner (a budget_exceeded row) since the task was created.
    if (await this.deps.credits.store.hasReferenceSince(teamName, handle, 'budget', Date.parse(task.createdAt))) return;
    await this.deps.credits.apply(teamName, swarmId, handle, {
      type: 'bonus',
      amount: options.budgetRespected.credits,
      reference: { type: 'task', id: task.id },
      reason: `budget respected: no budget paused ${handle} during task ${task.id}`,
      eventKey: `budget_respected:${at}`,
    });
  }

  /** Whether the budgets plugin runs (set by index.ts): without it, no budget was checked. */
  budgetsOn: () => boolean = () => false;

  async taskUpdated(teamName: string, task: TaskLike): Promise<void> {
    if (task.status === 'resolved' || !task.ownerHandle) return;
    const handle = task.ownerHandle;
    const paid = await this.deps.credits.store.byReference(teamName, handle, 'task', task.id);
    // What the task's resolutions paid, net of what reopenings took back: only a resolved task reopens.
    const net = paid.reduce((sum, row) => sum + row.amount, 0);
    const resolvedRows = paid.filter((row) => row.eventKey?.startsWith('task_resolved:'));
    const reopenedRows = paid.filter((row) => row.eventKey?.startsWith('task_reopened:'));
    if (resolvedRows.length <= reopenedRows.length) return;
    const swarmId = resolvedRows.at(-1)!.swarmId;
    await this.deps.credits.apply(teamName, swarmId, handle, {
      type: 'penalty',
      amount: Math.max(net, 0),
      reference: { type: 'task', id: task.id },
      reason: `task reopened (${task.status}): ${task.id}`,
      eventKey: `task_reopened:${task.id}@${task.updatedAt}`,
      reputation: { success: false, weight: this.deps.options().taskReopened.weight },
      shortfall: 'partial',
    });
  }

  async policyViolation(teamName: string, violation: { id: string; agent: string; tool: string }): Promise<void> {
    const swarmId = await this.#swarm(teamName, violation.agent);
    if (!swarmId) return;
    const options = this.deps.options().policyViolation;
    await this.deps.credits.apply(teamName, swarmId, violation.agent, {
      type: 'penalty',
      amount: options.credits,
      reference: { type: 'policy_violation', id: violation.id },
      reason: `policy violation: ${violation.tool}`,
      eventKey: `policy_violation:${violation.id}`,
      reputation: { success: false, weight: options.weight },
      shortfall: 'partial',
    });
  }

  async budgetExceeded(
    teamName: string,
    budget: { id: string; windowStart: number; paused: readonly string[] },
  ): Promise<void> {
    const options = this.deps.options().budgetExceeded;
    for (const handle of budget.paused) {
      const swarmId = await this.#swarm(teamName, handle);
      if (!swarmId) continue;
      await this.deps.credits.apply(teamName, swarmId, handle, {
        type: 'penalty',
        amount: options.credits,
        reference: { type: 'budget', id: budget.id },
        reason: `budget ${budget.id} exceeded: ${handle} paused`,
        eventKey: `budget_exceeded:${budget.id}@${budget.windowStart}:${handle}`,
        reputation: { success: false, weight: options.weight },
        shortfall: 'partial',
      });
    }
  }

  /** Run a handler for an event; a failure is logged, never thrown into the emitter. */
  run(what: string, work: () => Promise<void>): void {
    void work().catch((error: unknown) =>
      this.deps.log.warn(`swarm credits: ${what} not applied`, { error: (error as Error).message }),
    );
  }
}

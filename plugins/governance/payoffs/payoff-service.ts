import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { Identity, Logger } from '../../../core/index.js';
import type { SwarmApi } from '../../swarm/index.js';
import type { TasksApi } from '../../tasks/index.js';
import { payoffErrors as errors } from './errors.js';
import type { PayoffsTable, PayoffTables, PayoffType } from './tables.js';
import { calculate, payoffValue, type PayoffTerms } from './value.js';

/** A payoff, camelCase (the seed answered with its raw snake_case row), with its payment when made. */
export interface PayoffView extends PayoffTerms {
  id: string;
  taskId: string;
  swarmId: string | null;
  dependencies: string[];
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  paidAt: string | null;
  paidAmount: number | null;
  paidTo: string | null;
}

export interface PayoffInput {
  taskId: string;
  swarmId?: string;
  payoffType: PayoffType;
  baseValue: number;
  multiplier: number;
  deadline?: number;
  decayRate: number;
  dependencies?: string[];
}

export interface PayoffServiceDeps {
  db: Kysely<PayoffTables>;
  clock: { now(): number };
  log: Logger;
  swarm(): SwarmApi;
  tasks(): TasksApi | undefined;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

function view(row: Selectable<PayoffsTable>): PayoffView {
  return {
    id: row.id,
    taskId: row.task_id,
    swarmId: row.swarm_id,
    payoffType: row.payoff_type,
    baseValue: Number(row.base_value),
    multiplier: Number(row.multiplier),
    deadline: row.deadline === null ? null : Number(row.deadline),
    decayRate: Number(row.decay_rate),
    dependencies: JSON.parse(row.dependencies) as string[],
    createdBy: row.created_by,
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
    paidAt: iso(row.paid_at),
    paidAmount: row.paid_amount === null ? null : Number(row.paid_amount),
    paidTo: row.paid_to,
  };
}

/**
 * Payoffs for tasks: defined by a lead, valued at any time by the seed's formula (value.ts), and paid
 * once to the task's owner when its completion is verified (startPayouts): a ledger row keyed
 * `payoff:<id>` (so concurrent or replayed deliveries pay once), then recorded on the payoff.
 */
export class PayoffService {
  constructor(private readonly deps: PayoffServiceDeps) {}

  /** With the tasks plugin on, the task must be the caller's team's (404 naming taskId). */
  async requireTask(teamName: string, taskId: string): Promise<void> {
    const tasks = this.deps.tasks();
    if (tasks && !(await tasks.tasks.get(teamName, taskId)))
      throw errors.GOVERNANCE_PAYOFF_TASK_NOT_FOUND({ taskId }, { field: 'taskId' });
  }

  /** Define (or redefine, per task and type) a payoff; a paid one is final (409). */
  async define(lead: Identity, input: PayoffInput): Promise<PayoffView> {
    const teamName = lead.teamName;
    await this.requireTask(teamName, input.taskId);
    if (input.swarmId !== undefined) await this.deps.swarm().swarms.require(teamName, input.swarmId, 'swarmId');
    const now = this.deps.clock.now();
    const terms = {
      base_value: input.baseValue,
      multiplier: input.multiplier,
      deadline: input.deadline ?? null,
      decay_rate: input.decayRate,
      dependencies: JSON.stringify(input.dependencies ?? []),
      updated_at: now,
      ...(input.swarmId !== undefined ? { swarm_id: input.swarmId } : {}),
    };
    const row = await this.deps.db
      .insertInto('payoffs')
      .values({
        id: randomUUID(),
        team_name: teamName,
        task_id: input.taskId,
        swarm_id: input.swarmId ?? null,
        payoff_type: input.payoffType,
        created_by: lead.handle,
        created_at: now,
        paid_at: null,
        paid_amount: null,
        paid_to: null,
        paid_swarm: null,
        ...terms,
      })
      .onConflict((oc) =>
        oc.columns(['team_name', 'task_id', 'payoff_type']).doUpdateSet(terms).where('payoffs.paid_at', 'is', null),
      )
      .returningAll()
      .executeTakeFirst();
    if (!row)
      throw errors.GOVERNANCE_PAYOFF_PAID(
        { payoffType: input.payoffType, taskId: input.taskId },
        { field: 'payoffType' },
      );
    return view(row);
  }

  async #rows(teamName: string, taskId: string) {
    return this.deps.db
      .selectFrom('payoffs')
      .selectAll()
      .where('team_name', '=', teamName)
      .where('task_id', '=', taskId)
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .execute();
  }

  /** A task's payoffs, newest first. */
  async list(teamName: string, taskId: string): Promise<PayoffView[]> {
    await this.requireTask(teamName, taskId);
    return (await this.#rows(teamName, taskId)).map(view);
  }

  /** The task's payoffs valued now (the plugin's clock). */
  async calculate(teamName: string, taskId: string) {
    const payoffs = await this.list(teamName, taskId);
    return calculate(taskId, payoffs, this.deps.clock.now());
  }

  /**
   * Pay a verified completion: each unpaid payoff of the task at its value now, to the owner, in the
   * payoff's swarm (else the owner's): earned when positive, taken (a penalty, down to 0) when
   * negative, nothing moved at 0; then recorded once. An owner in no swarm is not paid (logged).
   */
  async pay(teamName: string, task: { id: string; ownerHandle: string | null }): Promise<PayoffView[]> {
    const owner = task.ownerHandle;
    if (!owner) return [];
    const unpaid = (await this.#rows(teamName, task.id)).filter((row) => row.paid_at === null);
    const paid: PayoffView[] = [];
    const swarm = this.deps.swarm();
    for (const row of unpaid) {
      const swarmId = row.swarm_id ?? (await swarm.swarms.swarmOf(teamName, owner));
      if (!swarmId) {
        this.deps.log.warn('governance: a payoff was not paid, its task’s owner is in no swarm', {
          payoffId: row.id,
          taskId: task.id,
          owner,
        });
        continue;
      }
      const now = this.deps.clock.now();
      const { signed } = payoffValue(view(row), now);
      let amount: number;
      if (signed !== 0) {
        const result = await swarm.credits.apply(teamName, swarmId, owner, {
          type: signed > 0 ? 'earn' : 'penalty',
          amount: Math.abs(signed),
          reference: { type: 'payoff', id: row.id },
          reason: `${row.payoff_type} payoff of task ${task.id}`,
          eventKey: `payoff:${row.id}`,
          shortfall: 'partial',
        });
        amount = result.transaction.amount;
      } else {
        // Decayed to 0 now: a concurrent delivery may still have paid it a moment before.
        const rows = await swarm.credits.store.byReference(teamName, owner, 'payoff', row.id);
        amount = rows.find((r) => r.eventKey === `payoff:${row.id}`)?.amount ?? 0;
      }
      const recorded = await this.deps.db
        .updateTable('payoffs')
        .set({ paid_at: now, paid_amount: amount, paid_to: owner, paid_swarm: swarmId })
        .where('id', '=', row.id)
        .where('paid_at', 'is', null)
        .returningAll()
        .executeTakeFirst();
      if (recorded) paid.push(view(recorded));
    }
    return paid;
  }
}

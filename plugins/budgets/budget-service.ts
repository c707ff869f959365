import { createHash } from 'node:crypto';
import * as v from 'valibot';
import { f, type Identity, invalidInput, isApiError, type PluginContext, sameTeam } from '../../core/index.js';
import type { Budget, BudgetScope, BudgetView } from './budget.js';
import type { BudgetEngine } from './budget-engine.js';
import type { BudgetChange, BudgetStore } from './budget-store.js';
import { budgetsErrors } from './errors.js';
import type { ConfigBudget } from './options.js';
import type { TasksPort } from './ports.js';
import type { Unit } from './tables.js';
import type { Period } from './windows.js';

export interface BudgetInput {
  scope: BudgetScope;
  unit: Unit;
  limit: number;
  period: Period;
  throttleAt?: number;
}

const TASK_ID = v.pipe(v.string(), v.uuid());

/** Tokens and turns are counted whole: their limits must be whole numbers. */
function checkWhole(unit: Unit, limit: number | undefined): void {
  if (limit !== undefined && unit !== 'usd' && !Number.isInteger(limit))
    throw invalidInput('limit', `must be a whole number of ${unit}`);
}

/** The config's budgets, checked: a fleet budget has no team; the others name theirs and their scope. */
export function configBudgets(list: readonly ConfigBudget[]): Budget[] {
  return list.map((item, index) => {
    const where = `plugins.budgets.budgets[${index}]`;
    const { scope } = item;
    const teamName = scope.kind === 'fleet' ? null : (item.teamName ?? (scope.kind === 'team' ? scope.id : undefined));
    if (scope.kind !== 'fleet' && teamName === undefined)
      throw new Error(`${where}: a ${scope.kind} budget needs teamName`);
    if (scope.kind === 'team' && scope.id !== undefined && scope.id !== teamName)
      throw new Error(`${where}: scope.id and teamName name different teams`);
    if ((scope.kind === 'worker' || scope.kind === 'task') && !scope.id)
      throw new Error(`${where}: scope.id is required`);
    if (item.unit !== 'usd' && !Number.isInteger(item.limit)) throw new Error(`${where}: limit must be a whole number`);
    const hash = createHash('sha256')
      .update(JSON.stringify([teamName, scope.kind, scope.id ?? null, item.unit, item.period]))
      .digest('hex')
      .slice(0, 16);
    return {
      id: `config-${item.id ?? hash}`,
      teamName: teamName ?? null,
      scope: scope.kind === 'fleet' ? { kind: 'fleet' } : { kind: scope.kind, id: scope.id ?? teamName! },
      unit: item.unit,
      limit: item.limit,
      period: item.period,
      throttleAt: item.throttleAt ?? null,
      createdBy: 'config',
      source: 'config',
      createdAt: 0,
      updatedAt: 0,
    } satisfies Budget;
  });
}

/** The operations' side: who may see and change which budget, and the checks of their input. */
export class BudgetService {
  constructor(
    private readonly engine: BudgetEngine,
    private readonly store: BudgetStore,
    private readonly tasks: () => TasksPort | undefined,
    private readonly emit: PluginContext['events']['emit'],
  ) {}

  /** The team's budgets and the fleet's. */
  list(teamName: string): BudgetView[] {
    return [...this.engine.entries.values()]
      .filter((entry) => entry.budget.teamName === null || entry.budget.teamName === teamName)
      .map((entry) => this.engine.view(entry, teamName));
  }

  /** One budget of the team (or the fleet's); another team's is a 404. */
  get(teamName: string, id: string): BudgetView {
    const entry = this.engine.entries.get(id);
    if (!entry || (entry.budget.teamName !== null && entry.budget.teamName !== teamName))
      throw budgetsErrors.BUDGETS_NOT_FOUND({ id });
    return this.engine.view(entry, teamName);
  }

  async create(caller: Identity, input: BudgetInput): Promise<BudgetView> {
    const { scope } = input;
    if (scope.kind === 'fleet') throw budgetsErrors.BUDGETS_FLEET_SCOPE({}, { field: 'scope.kind' });
    checkWhole(input.unit, input.limit);
    let scopeId: string;
    if (scope.kind === 'team') {
      // The kernel's check, with the field in the answer's details as every 400 here has it.
      try {
        scopeId = sameTeam(caller, scope.id, { field: 'scope.id', deny: 403 });
      } catch (error) {
        if (isApiError(error)) Object.assign(error.details, { field: 'scope.id' });
        throw error;
      }
    } else {
      if (scope.id === undefined) throw invalidInput('scope.id', `is required for a ${scope.kind} budget`);
      scopeId = scope.id;
      if (scope.kind === 'worker') {
        const checked = v.safeParse(f.handle, scopeId);
        if (!checked.success) throw invalidInput('scope.id', checked.issues[0].message);
      } else {
        if (!v.safeParse(TASK_ID, scopeId).success) throw invalidInput('scope.id', 'must be a task id (a UUID)');
        const tasks = this.tasks();
        if (tasks && !(await tasks.tasks.get(caller.teamName, scopeId)))
          throw budgetsErrors.BUDGETS_TASK_NOT_FOUND({ id: scopeId }, { field: 'scope.id' });
      }
    }
    const budget = await this.store.insert({
      teamName: caller.teamName,
      scope: { kind: scope.kind, id: scopeId },
      unit: input.unit,
      limit: input.limit,
      period: input.period,
      throttleAt: input.throttleAt ?? null,
      createdBy: caller.handle,
    });
    await this.engine.put(budget);
    const view = this.get(caller.teamName, budget.id);
    this.emit('budget_created', caller.teamName, { budget: view });
    return view;
  }

  /** A budget of the team made through the API (config ones are read-only: 409). */
  #own(teamName: string, id: string): Budget {
    const entry = this.engine.entries.get(id);
    if (!entry || (entry.budget.teamName !== null && entry.budget.teamName !== teamName))
      throw budgetsErrors.BUDGETS_NOT_FOUND({ id });
    if (entry.budget.source === 'config') throw budgetsErrors.BUDGETS_READ_ONLY({ id });
    return entry.budget;
  }

  async update(caller: Identity, id: string, change: BudgetChange): Promise<BudgetView> {
    const budget = this.#own(caller.teamName, id);
    checkWhole(budget.unit, change.limit);
    await this.store.update(id, change);
    const updated: Budget = {
      ...budget,
      limit: change.limit ?? budget.limit,
      period: change.period ?? budget.period,
      throttleAt: change.throttleAt === undefined ? budget.throttleAt : change.throttleAt,
      updatedAt: Date.now(),
    };
    await this.engine.put(updated);
    const view = this.get(caller.teamName, id);
    this.emit('budget_updated', caller.teamName, { budget: view });
    return view;
  }

  async remove(caller: Identity, id: string): Promise<{ success: true; id: string }> {
    this.#own(caller.teamName, id);
    await this.store.remove(id);
    await this.engine.remove(id);
    this.emit('budget_deleted', caller.teamName, { id });
    return { success: true, id };
  }
}

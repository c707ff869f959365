import * as v from 'valibot';
import { invalidInput, operationsFor } from '../../core/index.js';
import { budgetId, limit, period, scope, throttleAt, unit } from './fields.js';
import type { BudgetsApi } from './index.js';

const op = operationsFor<BudgetsApi>();

export const createBudget = op({
  name: 'createBudget',
  summary:
    'Set a budget (leads): USD, tokens or turns, per day, week or in total (UTC), for a task, a worker or the team; ' +
    'over it, its workers are paused and new work is refused',
  access: 'lead',
  input: v.object({ scope, unit, limit, period, throttleAt: v.optional(throttleAt) }),
  http: { method: 'POST', path: '/budgets', status: 201 },
  run: ({ input, caller, api }) => api.service.create(caller, input),
});

export const listBudgets = op({
  name: 'listBudgets',
  summary:
    'Your team’s budgets and the fleet’s, each with what its window has spent, what remains, whether it is ' +
    'over or throttled, and the workers it paused',
  access: 'agent',
  input: v.object({}),
  http: { method: 'GET', path: '/budgets' },
  tools: [{ name: 'budget_list' }],
  run: ({ caller, api }) => api.service.list(caller.teamName),
});

export const getBudget = op({
  name: 'getBudget',
  summary: 'One budget of your team (or the fleet’s), with where it stands',
  access: 'agent',
  input: v.object({ id: budgetId }),
  http: { method: 'GET', path: '/budgets/:id' },
  run: ({ input, caller, api }) => api.service.get(caller.teamName, input.id),
});

const change = {
  limit: v.optional(limit),
  period: v.optional(period),
  throttleAt: v.optional(v.nullable(throttleAt)),
};

export const updateBudget = op({
  name: 'updateBudget',
  summary:
    'Change a budget’s limit, period or throttle (leads; null removes the throttle); raised above what was spent, ' +
    'the workers it paused resume',
  access: 'lead',
  input: v.object({ id: budgetId, ...change }),
  http: { method: 'PATCH', path: '/budgets/:id' },
  run: ({ input: { id, ...rest }, caller, api }) => api.service.update(caller, id, rest),
});

export const deleteBudget = op({
  name: 'deleteBudget',
  summary: 'Delete a budget (leads): the workers it paused resume, unless another budget holds them',
  access: 'lead',
  input: v.object({ id: budgetId }),
  http: { method: 'DELETE', path: '/budgets/:id' },
  run: ({ input, caller, api }) => api.service.remove(caller, input.id),
});

export const setBudget = op({
  name: 'setBudget',
  summary:
    'Set a budget (leads): with id, change its limit, period or throttle; without, create one ' +
    '(scope { kind: task|worker|team, id }, unit usd|tokens|turns, limit, period day|week|total)',
  access: 'lead',
  input: v.object({
    id: v.optional(budgetId),
    scope: v.optional(scope),
    unit: v.optional(unit),
    ...change,
  }),
  tools: [{ name: 'budget_set' }],
  run({ input, caller, api }) {
    const { id, scope: given, unit: inUnit, ...rest } = input;
    if (id !== undefined) return api.service.update(caller, id, rest);
    if (given === undefined) throw invalidInput('scope', 'is required to create a budget (or give id to change one)');
    if (inUnit === undefined) throw invalidInput('unit', 'is required to create a budget');
    if (rest.limit === undefined) throw invalidInput('limit', 'is required to create a budget');
    if (rest.period === undefined) throw invalidInput('period', 'is required to create a budget');
    return api.service.create(caller, {
      scope: given,
      unit: inUnit,
      limit: rest.limit,
      period: rest.period,
      throttleAt: rest.throttleAt ?? undefined,
    });
  },
});

export const budgetOperations = [createBudget, listBudgets, getBudget, updateBudget, deleteBudget, setBudget];

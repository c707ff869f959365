import * as v from 'valibot';
import { f, operationsFor } from '../../../core/index.js';
import { swarmId, taskId } from '../fields.js';
import type { GovernanceApi } from '../index.js';
import { PAYOFF_TYPES } from './tables.js';

const op = operationsFor<GovernanceApi>();

export const definePayoff = op({
  name: 'definePayoff',
  summary:
    'Define a task’s payoff of a type (one per type; a redefinition replaces it until paid): base × multiplier, ' +
    'decaying by decayRate per hour past the deadline (ms since the epoch); paid to the owner on verified completion',
  access: 'lead',
  input: v.object({
    taskId,
    swarmId: v.optional(swarmId),
    payoffType: f.oneOf(PAYOFF_TYPES),
    baseValue: f.decimal(-10_000, 10_000),
    multiplier: v.optional(f.decimal(0, 100), 1),
    deadline: v.optional(f.int(1)),
    decayRate: v.optional(f.decimal(0, 1), 0),
    dependencies: v.optional(f.list(f.text({ min: 1, max: 100 }), { max: 20, of: 'task ids', unit: 'tasks' })),
  }),
  http: { method: 'POST', path: '/payoffs', status: 201 },
  tools: [
    {
      name: 'payoff_define',
      rename: {
        task_id: 'taskId',
        swarm_id: 'swarmId',
        payoff_type: 'payoffType',
        base_value: 'baseValue',
        decay_rate: 'decayRate',
      },
    },
  ],
  run: ({ input, caller, api }) => api.payoffs.define(caller, input),
});

export const listPayoffs = op({
  name: 'listPayoffs',
  summary: 'A task’s payoffs, newest first, each with its payment once made: { payoffs, count }',
  access: 'agent',
  input: v.object({ taskId }),
  http: { method: 'GET', path: '/payoffs/:taskId' },
  async run({ input, caller, api }) {
    const payoffs = await api.payoffs.list(caller.teamName, input.taskId);
    return { payoffs, count: payoffs.length };
  },
});

export const calculatePayoff = op({
  name: 'calculatePayoff',
  summary: 'A task’s payoffs valued now: totalPayoff, per type, bonuses, penalties and what the deadline decay took',
  access: 'agent',
  input: v.object({ taskId }),
  http: { method: 'GET', path: '/payoffs/:taskId/calculate' },
  tools: [{ name: 'payoff_calculate', rename: { task_id: 'taskId' } }],
  run: ({ input, caller, api }) => api.payoffs.calculate(caller.teamName, input.taskId),
});

export const payoffOperations = [definePayoff, listPayoffs, calculatePayoff];

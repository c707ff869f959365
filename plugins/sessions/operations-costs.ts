import * as v from 'valibot';
import { f, operationsFor } from '../../core/index.js';
import { COST_GROUPS } from './costs.js';
import { instant, limit, offset } from './fields.js';
import type { SessionsApi } from './index.js';

const op = operationsFor<SessionsApi>();

export const costs = op({
  name: 'costs',
  summary:
    'Tokens and cost of your team’s results over a time range, by task, worker, session, team or model ' +
    '(cost null where no agent reported one: unknown, not 0)',
  access: 'agent',
  input: v.object({
    by: v.optional(f.oneOf(COST_GROUPS), 'task'),
    since: v.optional(instant),
    until: v.optional(instant),
    limit: limit(1000),
    offset,
  }),
  http: { method: 'GET', path: '/costs' },
  tools: [{ name: 'cost_report' }],
  run: ({ input, caller, api }) => api.costs(caller.teamName, { ...input, limit: input.limit ?? 100 }),
});

export const costOperations = [costs];

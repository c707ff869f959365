import * as v from 'valibot';
import { f, operationsFor } from '../../core/index.js';
import { dailyCosts } from './daily-costs.js';
import type { SessionsApi } from './index.js';

const op = operationsFor<SessionsApi>();

export const costsByDay = op({
  name: 'costsByDay',
  summary:
    'Tokens and cost of your team per UTC day over the last `days` days (today included, default 14), ' +
    'oldest first, every day listed (cost null where none is known)',
  access: 'agent',
  input: v.object({ days: v.optional(f.int(1, 366), 14) }),
  http: { method: 'GET', path: '/costs/daily' },
  run: ({ input, caller, api }) => dailyCosts(api.store.db, caller.teamName, input.days),
});

export const dailyCostOperations = [costsByDay];

import * as v from 'valibot';
import { f, operationsFor } from '../../core/index.js';
import { approvalView } from './approval-service.js';
import { approvalId, approvalKind, limit, offset } from './fields.js';
import type { PolicyApi } from './index.js';

const op = operationsFor<PolicyApi>();

export const listApprovals = op({
  name: 'listApprovals',
  summary:
    'The approvals inbox: tool calls and items (a budget breach, a usage limit) waiting for a lead (status ' +
    'pending, the default, oldest first), or those approved, denied, expired or withdrawn (newest first); by kind',
  access: 'lead',
  input: v.object({
    status: v.optional(f.oneOf(['pending', 'approved', 'denied', 'expired', 'withdrawn'] as const)),
    kind: v.optional(approvalKind),
    limit: v.optional(limit),
    offset: v.optional(offset),
  }),
  http: { method: 'GET', path: '/approvals' },
  tools: [{ name: 'approval_list' }],
  run: ({ input, caller, api }) =>
    api.approvals.list(caller.teamName, {
      status: input.status ?? 'pending',
      kind: input.kind,
      limit: input.limit ?? 50,
      offset: input.offset ?? 0,
    }),
});

export const getApproval = op({
  name: 'getApproval',
  summary:
    'One approval: the waiting call (agent, tool, a summary and the input) or item (kind, subject), ' +
    'its rule, its age and outcome',
  access: 'lead',
  input: v.object({ id: approvalId }),
  http: { method: 'GET', path: '/approvals/:id' },
  tools: [{ name: 'approval_get' }],
  run: async ({ input, caller, api }) => approvalView(await api.approvals.require(caller.teamName, input.id)),
});

export const decideApproval = op({
  name: 'decideApproval',
  summary:
    'Approve or deny a waiting tool call (the agent goes on at once; an approval lets that exact call run once) ' +
    'or item (the plugin that opened it acts on the decision)',
  access: 'lead',
  input: v.object({
    id: approvalId,
    decision: f.oneOf(['approve', 'deny'] as const),
    note: v.optional(f.text({ max: 1000 })),
  }),
  http: { method: 'POST', path: '/approvals/:id/decide' },
  tools: [{ name: 'approval_decide' }],
  run: ({ input, caller, api }) => api.approvals.decide(caller, input.id, input.decision, input.note),
});

export const waitApproval = op({
  name: 'waitApproval',
  summary:
    "The enforcing hook's wait on its own ask: held until a lead decides or it expires (at most 25 s; " +
    'ask again while pending); answers the decision',
  access: 'agent',
  input: v.object({ id: approvalId }),
  http: { method: 'POST', path: '/approvals/:id/wait' },
  run: ({ input, caller, api }) => api.approvals.wait(caller, input.id),
});

export const approvalOperations = [listApprovals, getApproval, decideApproval, waitApproval];

import { defineEvents } from '../../core/index.js';
import type { Approval } from './approval-service.js';
import type { AuditEntry } from './audit-log.js';

declare module '../../core/index.js' {
  interface FleetEventMap {
    /** A tool call was blocked by a rule, or an ask was denied or expired. */
    policy_violation: { violation: AuditEntry };
    /** An `ask` rule stopped a tool call, or a plugin opened an item: a lead must approve or deny it. */
    approval_requested: { approval: Approval };
    /** A lead approved or denied an ask or item; an ask expired; an item was withdrawn. */
    approval_decided: { approval: Approval };
  }
}

/**
 * What agents asked to run is for leads only (an input may hold anything), so these events go on a
 * guarded topic: a lead's socket follows it with `{ "type": "subscribe", "policy": "leads" }`.
 */
export const POLICY_TOPIC = { prefix: 'policy', key: 'policy', id: 'leads' } as const;
const leads = () => `${POLICY_TOPIC.prefix}.${POLICY_TOPIC.id}`;

export const policyEvents = defineEvents({
  policy_violation: { topic: leads, summary: 'A tool call was blocked by a rule, or an ask was denied or expired' },
  approval_requested: { topic: leads, summary: 'An ask or an item waits for a lead (the approvals inbox)' },
  approval_decided: {
    topic: leads,
    summary: 'An ask or item was approved or denied; an ask expired; an item was withdrawn',
  },
});

import { defineErrors } from '../../core/index.js';

export const policyErrors = defineErrors({
  POLICY_NOT_FOUND: [404, 'Policy not found'],
  POLICY_NAME_TAKEN: [409, 'name: a policy named {name} already exists in this team'],
  POLICY_NOTHING_TO_CHANGE: [
    400,
    'body: name, decision, tool, pattern, reason, priority, enabled or twoPerson is required',
  ],
  POLICY_APPROVAL_NOT_FOUND: [404, 'Approval not found'],
  POLICY_APPROVAL_NOT_PENDING: [409, 'Approval is {status}, not pending'],
  POLICY_NOT_REQUESTER: [403, 'Only the agent that asked may wait on this approval'],
  POLICY_TWO_PERSON: [403, 'Rule {rule} needs a second person: {who} may not approve this request'],
});

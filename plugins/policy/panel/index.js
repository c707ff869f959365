// @ts-check
// The policy plugin's dashboard panel: the team's rules, pending approvals and recent violations (#/policy), and
// pending approvals in the needs-you inbox with Approve and Deny for leads.
import { policyInbox } from './inbox.js';
import { PolicyView } from './policy-view.js';

export const views = [{ id: 'policy', title: 'Policy', order: 60, component: PolicyView }];

/** @param {any} fleet */
export function inbox(fleet) {
  return policyInbox(fleet);
}

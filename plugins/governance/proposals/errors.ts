import { defineErrors } from '../../../core/index.js';

/** The proposal and vote codes (GOVERNANCE_PROPOSAL_*, GOVERNANCE_VOTE_*, GOVERNANCE_ACTION_*). */
export const proposalErrors = defineErrors({
  GOVERNANCE_PROPOSAL_NOT_FOUND: [404, 'Proposal not found'],
  GOVERNANCE_PROPOSAL_CLOSED: [409, 'Proposal {id} is {status}: it takes no more votes and closes only once'],
  GOVERNANCE_NOT_SELF: [403, '{field}: you may act only as yourself ({handle})'],
  GOVERNANCE_NOT_MEMBER: [403, '{handle} is not a member of swarm {swarmId}: only its members vote'],
  GOVERNANCE_NOT_PROPOSER: [403, 'Only a member of swarm {swarmId} or a lead may propose'],
  GOVERNANCE_CANCEL_DENIED: [403, 'Only the proposer or a lead may cancel a proposal'],
  GOVERNANCE_VOTE_INVALID: [400, 'voteValue: {message}'],
  GOVERNANCE_PROPOSAL_INVALID: [400, '{field}: {message}'],
  GOVERNANCE_ACTION_UNAVAILABLE: [400, 'action.type: {type} needs the {plugin} plugin, which is off'],
  GOVERNANCE_ACTION_TARGET: [404, '{field}: {message}'],
});

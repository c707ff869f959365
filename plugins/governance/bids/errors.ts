import { defineErrors } from '../../../core/index.js';

/** The bid and auction codes (GOVERNANCE_BID_*). */
export const bidErrors = defineErrors({
  GOVERNANCE_BID_NOT_FOUND: [404, 'Bid not found'],
  GOVERNANCE_BID_TASK_NOT_FOUND: [404, 'taskId: task {taskId} not found'],
  GOVERNANCE_BID_NOT_MEMBER: [403, '{handle} is not a member of swarm {swarmId}: only its members bid'],
  GOVERNANCE_BID_NOT_YOURS: [403, 'Only its bidder may withdraw a bid'],
  GOVERNANCE_BID_SELF_ONLY: [403, '{field}: you bid only as yourself ({handle})'],
  GOVERNANCE_BID_NOT_PENDING: [409, 'Bid {id} is {status}, not pending'],
  GOVERNANCE_BID_TASK_TAKEN: [409, 'Task {taskId} is already {state}: it takes no bids and no winner'],
  GOVERNANCE_BID_NO_BIDS: [409, 'No pending bids for this task'],
  GOVERNANCE_BID_INSUFFICIENT_BALANCE: [409, 'bidAmount: {amount} is more than your {balance} credits'],
  GOVERNANCE_BID_WINNER_SHORT: [409, 'The winner {handle} has {balance} credits, less than the price {price}'],
  GOVERNANCE_BID_TASKS_OFF: [409, 'Bids need the tasks plugin, which is off'],
  GOVERNANCE_BID_BAD_WEIGHTS: [400, 'bidWeight: at least one weight must be greater than 0'],
});

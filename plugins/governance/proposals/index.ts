export { proposalErrors } from './errors.js';
export { proposalEvents } from './events.js';
export { proposalOperations } from './operations-proposals.js';
export { ProposalService } from './proposal-service.js';
export { startDeadlines } from './deadlines.js';
export type { ConsensusResult, ProposalView, VoteView } from './views.js';

/**
 * Bids and auctions: the service, its operations, table, errors, events and migration.
 * index.ts builds the service as
 *   new BidService({ db: ctx.db, join: ctx.join, clock, emit: ctx.events.emit, log: ctx.log, swarm, tasks, auth })
 */
export { BidService } from './bid-service.js';
export type { BidInput, BidQuery, BidServiceDeps, BidView, Settlement } from './bid-service.js';
export { bidOperations } from './operations-bids.js';
export { bidTables } from './tables.js';
export type { BidStatus, BidTables, BidsTable } from './tables.js';
export { bidErrors } from './errors.js';
export { bidEvents } from './events.js';
export { bidsMigration } from '../migrations/0002-bids.js';
export { AUCTION_TYPES, DEFAULT_WEIGHTS, evaluateBids, runAuction } from './scoring.js';
export type { AuctionType, Evaluation, ScoredBid, Weights } from './scoring.js';

/**
 * Payoffs: the service, its operations, table, errors and migration, and startPayouts (paying on
 * verified completion). index.ts builds the service as
 *   new PayoffService({ db: ctx.db, clock, log: ctx.log, swarm, tasks })
 * and in start: ctx.onStop(startPayouts(api, ctx)).
 */
export { PayoffService } from './payoff-service.js';
export type { PayoffInput, PayoffServiceDeps, PayoffView } from './payoff-service.js';
export { payoffOperations } from './operations-payoffs.js';
export { payoffTables } from './tables.js';
export type { PayoffTables, PayoffType, PayoffsTable } from './tables.js';
export { payoffErrors } from './errors.js';
export { payoffsMigration } from '../migrations/0003-payoffs.js';
export { startPayouts } from './payouts.js';
export { calculate, payoffValue } from './value.js';
export type { PayoffTerms } from './value.js';

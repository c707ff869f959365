import { definePlugin } from '../../core/index.js';
import type { AuthApi } from '../auth/index.js';
import type { SwarmApi } from '../swarm/index.js';
import type { TasksApi } from '../tasks/index.js';
import { type Clock, fakeClock, systemClock } from './clock.js';
import { governanceErrors } from './errors.js';
import { governanceEvents } from './events.js';
import { proposalsMigration } from './migrations/0001-proposals.js';
import { type GovernanceOptions, governanceOptionsSchema } from './options.js';
import { ProposalService, proposalOperations, startDeadlines } from './proposals/index.js';
import { governanceTables } from './tables.js';

export type { Clock, FakeClock } from './clock.js';
export type { ConsensusResult, ProposalView, VoteView } from './proposals/index.js';
export { ProposalService };

/**
 * Placeholders for the bids and payoffs services until their folders land (bids/, payoffs/): then
 * these become the real classes.
 */
export type BidService = unknown;
export type PayoffService = unknown;

/** What dependents and this plugin's operations get from ctx.use('governance'). */
export interface GovernanceApi {
  proposals: ProposalService;
  bids: BidService;
  payoffs: PayoffService;
  /** The plugin's time: deadlines and decay (a FakeClock under options.testClock). */
  clock: Clock;
  swarm(): SwarmApi;
  /** The other plugins, read at call time (undefined while one is off). */
  tasks(): TasksApi | undefined;
  workflows(): unknown;
  auth(): AuthApi;
  options: GovernanceOptions;
}

export const governance = definePlugin({
  name: 'governance',
  description:
    'Proposals with weighted votes that close by a lead, their deadline or their threshold and may act when ' +
    'they pass; bids and auctions that really assign the work; payoffs paid on verified completion.',
  dependsOn: ['auth', 'swarm'],
  optionalDependsOn: ['tasks', 'workflows', 'metrics'],
  config: governanceOptionsSchema,
  tables: governanceTables,
  migrations: {
    '0001_proposals': proposalsMigration,
  },
  errors: governanceErrors,
  events: governanceEvents,
  operations: [...proposalOperations],
  setup(ctx): GovernanceApi {
    const clock = ctx.options.testClock ? fakeClock(ctx.options.testClock.startAt) : systemClock;
    const swarm = () => ctx.use<SwarmApi>('swarm');
    const tasks = () => ctx.use<TasksApi | undefined>('tasks');
    const workflows = () => ctx.use<unknown>('workflows');
    const proposals = new ProposalService({
      db: ctx.db,
      clock,
      emit: ctx.events.emit,
      log: ctx.log,
      swarm,
      tasks,
      workflows,
      auth: () => ctx.use<AuthApi>('auth'),
    });
    ctx.health.count('proposals', (team) => proposals.countOpen(team));
    return {
      proposals,
      bids: undefined,
      payoffs: undefined,
      clock,
      swarm,
      tasks,
      workflows,
      auth: () => ctx.use<AuthApi>('auth'),
      options: ctx.options,
    };
  },
  start(ctx, api) {
    ctx.onStop(startDeadlines(api, ctx));
  },
});

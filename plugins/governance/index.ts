import { definePlugin } from '../../core/index.js';
import type { AuthApi } from '../auth/index.js';
import type { SwarmApi } from '../swarm/index.js';
import type { TasksApi } from '../tasks/index.js';
import { type Clock, fakeClock, systemClock } from '../../core/index.js';
import { governanceErrors } from './errors.js';
import { governanceEvents } from './events.js';
import { BidService, bidOperations, bidsMigration } from './bids/index.js';
import { proposalsMigration } from './migrations/0001-proposals.js';
import { PayoffService, payoffOperations, payoffsMigration, startPayouts } from './payoffs/index.js';
import { type GovernanceOptions, governanceOptionsSchema } from './options.js';
import { ProposalService, proposalOperations, startDeadlines } from './proposals/index.js';
import { governanceTables } from './tables.js';

export type { ConsensusResult, ProposalView, VoteView } from './proposals/index.js';
export type { BidView } from './bids/index.js';
export type { PayoffView } from './payoffs/index.js';
export { BidService, PayoffService, ProposalService };

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
    '0002_bids': bidsMigration,
    '0003_payoffs': payoffsMigration,
  },
  errors: governanceErrors,
  events: governanceEvents,
  operations: [...proposalOperations, ...bidOperations, ...payoffOperations],
  setup(ctx): GovernanceApi {
    const clock = ctx.options.testClock ? fakeClock(ctx.options.testClock.startAt) : systemClock;
    const swarm = () => ctx.use<SwarmApi>('swarm');
    const tasks = () => ctx.use<TasksApi | undefined>('tasks');
    const workflows = () => ctx.use<unknown>('workflows');
    const auth = () => ctx.use<AuthApi>('auth');
    const proposals = new ProposalService({
      db: ctx.db,
      clock,
      emit: ctx.events.emit,
      log: ctx.log,
      swarm,
      tasks,
      workflows,
      auth,
    });
    ctx.health.count('open_proposals', (team) => proposals.countOpen(team));
    return {
      proposals,
      bids: new BidService({
        db: ctx.db,
        join: ctx.join,
        clock,
        emit: ctx.events.emit,
        log: ctx.log,
        swarm,
        tasks,
        auth,
      }),
      payoffs: new PayoffService({ db: ctx.db, clock, log: ctx.log, swarm, tasks }),
      clock,
      swarm,
      tasks,
      workflows,
      auth,
      options: ctx.options,
    };
  },
  start(ctx, api) {
    ctx.onStop(startDeadlines(api, ctx));
    ctx.onStop(startPayouts(api, ctx));
  },
});

import { definePlugin } from '../../core/index.js';
import type { AuthApi } from '../auth/index.js';
import { BeliefsService } from './beliefs/beliefs-service.js';
import { beliefOperations } from './beliefs/operations-beliefs.js';
import { BlackboardService } from './blackboard/blackboard-service.js';
import { blackboardOperations } from './blackboard/operations-blackboard.js';
import { CreditStore } from './credits/credit-store.js';
import { CreditsService } from './credits/credits-service.js';
import { creditOperations } from './credits/operations-credits.js';
import { Outcomes, verifiedResolution } from './credits/outcomes.js';
import { swarmErrors } from './errors.js';
import { swarmEvents } from './events.js';
import { swarmsMigration } from './migrations/0001-swarms.js';
import { beliefsMigration } from './migrations/0002-beliefs.js';
import { creditsMigration } from './migrations/0003-credits.js';
import { swarmOptionsSchema } from './options.js';
import type { WorkersPort } from './ports.js';
import { swarmOperations } from './swarms/operations-swarms.js';
import { SwarmService } from './swarms/swarm-service.js';
import { swarmTables } from './tables.js';
import { PheromoneService, pheromoneOperations, pheromonesMigration, startAutoTrails } from './pheromones/index.js';
import { fileURLToPath } from 'node:url';

export type { BlackboardMessage } from './blackboard/blackboard-service.js';
export type { Applied, CreditAccount, CreditChange, CreditTransaction } from './credits/credit-store.js';
export type { SwarmMember, SwarmView } from './swarms/swarm-service.js';
export { consensusOf } from './beliefs/beliefs-service.js';
export { BeliefsService, BlackboardService, CreditsService, SwarmService };

/**
 * What dependents (issue 18's governance: `credits.apply`, `credits.reputation`) and this plugin's
 * operations get from ctx.use('swarm'). Every call names its team; identity checks are the
 * operations' (a plugin calling these has decided who acts).
 */
export interface SwarmApi {
  swarms: SwarmService;
  blackboard: BlackboardService;
  beliefs: BeliefsService;
  credits: CreditsService;
  /** Pheromone trails (pheromones/). */
  pheromones: PheromoneService;
  /**
   * Whether a task's resolution is verified (by a lead, or by another agent than its owner): the one rule
   * this plugin pays credits by, for other plugins that pay on completion (governance's payoffs).
   */
  verifiedResolution: typeof verifiedResolution;
  /** The balance an agent's account opens with in a swarm (options.initialBalance). */
  startingBalance(): number;
  /** The other plugins, read at call time (undefined while one is off). */
  workers(): WorkersPort | undefined;
  tasks(): unknown;
  policy(): unknown;
  metrics(): unknown;
  auth(): AuthApi;
}

export const swarm = definePlugin({
  name: 'swarm',
  description:
    'Swarms of workers with a blackboard, beliefs and consensus, and credits and reputation that move on ' +
    'verified outcomes (tasks resolved or reopened, budgets, policy violations), never on self-reports.',
  dependsOn: ['auth'],
  optionalDependsOn: ['workers', 'tasks', 'policy', 'budgets', 'metrics'],
  config: swarmOptionsSchema,
  tables: swarmTables,
  migrations: {
    '0001_swarms': swarmsMigration,
    '0002_beliefs': beliefsMigration,
    '0003_credits': creditsMigration,
    '0004_pheromones': pheromonesMigration,
  },
  errors: swarmErrors,
  events: swarmEvents,
  operations: [
    ...swarmOperations,
    ...blackboardOperations,
    ...beliefOperations,
    ...creditOperations,
    ...pheromoneOperations,
  ],
  panel: { entry: fileURLToPath(new URL('./panel/index.js', import.meta.url)), title: 'Swarm', order: 60 },
  setup(ctx): SwarmApi {
    const workers = () => ctx.use<WorkersPort | undefined>('workers');
    const swarms = new SwarmService({ db: ctx.db, workers, emit: ctx.events.emit, log: ctx.log });
    const credits = new CreditsService(new CreditStore(ctx.db, () => ctx.options.initialBalance), ctx.events.emit);
    const beliefs = new BeliefsService(ctx.db, (team, swarmId, handle) => credits.reputation(team, swarmId, handle));
    ctx.health.count('swarms', (team) => swarms.count(team));
    return {
      swarms,
      blackboard: new BlackboardService({ db: ctx.db, emit: ctx.events.emit }),
      beliefs,
      credits,
      pheromones: new PheromoneService({ db: ctx.db, dialect: ctx.dialect, log: ctx.log, emit: ctx.events.emit }),
      verifiedResolution,
      startingBalance: () => ctx.options.initialBalance,
      workers,
      tasks: () => ctx.use('tasks'),
      policy: () => ctx.use('policy'),
      metrics: () => ctx.use('metrics'),
      auth: () => ctx.use<AuthApi>('auth'),
    };
  },
  start(ctx, api) {
    const workers = api.workers();
    if (workers?.addAdmission) ctx.onStop(workers.addAdmission((request) => api.swarms.admit(request)));
    const stopTrails = startAutoTrails(api, ctx);
    ctx.onStop(() => stopTrails());
    const outcomes = new Outcomes({
      swarms: api.swarms,
      credits: api.credits,
      options: () => ctx.options,
      log: ctx.log,
    });
    outcomes.budgetsOn = () => ctx.use('budgets') !== undefined;
    // Verified outcomes only: events other plugins emit when the fleet saw the thing happen.
    ctx.events.on('task_resolved', (event) =>
      outcomes.run('task_resolved', () => outcomes.taskResolved(event.team, event.data.task, event.data.resolvedBy)),
    );
    ctx.events.on('task_updated', (event) =>
      outcomes.run('task_updated', () => outcomes.taskUpdated(event.team, event.data.task)),
    );
    ctx.events.on('policy_violation', (event) =>
      outcomes.run('policy_violation', () => outcomes.policyViolation(event.team, event.data.violation)),
    );
    ctx.events.on('budget_exceeded', (event) =>
      outcomes.run('budget_exceeded', () => outcomes.budgetExceeded(event.team, event.data.budget)),
    );
  },
});

import { definePlugin } from '../../core/index.js';
import type { PolicyApi } from '../policy/index.js';
import type { TasksApi } from '../tasks/index.js';
import type { WorkersApi } from '../workers/index.js';
import { enforceOperations, leaseFlagsMigration, startEnforcement } from './enforce/index.js';
import { allLeaseErrors } from './errors.js';
import { allLeaseEvents } from './events.js';
import { type Clock, fakeClock, systemClock } from '../../core/index.js';
import { LeaseService } from './leases/lease-service.js';
import { leaseOperations } from './leases/operations.js';
import { startTaskPaths } from './leases/task-paths.js';
import { startUpkeep } from './leases/upkeep.js';
import { leasesMigration } from './migrations/0001-leases.js';
import { type LeasesOptions, leasesOptionsSchema } from './options.js';
import { type AllLeaseTables, allLeaseTables } from './tables.js';

export type { Lease, LeaseBlocker, LeaseMode, LeaseView } from './leases/lease-service.js';
export type { LeasesOptions } from './options.js';
export { LeaseService };

/** What dependents and this plugin's operations get from ctx.use('leases'). */
export interface LeasesApi {
  leases: LeaseService;
  options: LeasesOptions;
  /** The plugin's time: expiry and renewal (a FakeClock under options.testClock). */
  clock: Clock;
  /** The other plugins, read at call time (undefined while one is off). */
  workers(): WorkersApi | undefined;
  tasks(): TasksApi | undefined;
  policy(): PolicyApi | undefined;
}

export const leases = definePlugin<typeof leasesOptionsSchema, LeasesApi, AllLeaseTables>({
  name: 'leases',
  description:
    'Leases on paths and globs of a repository (exclusive or shared, with a time to live and a fence), ' +
    "atomic on SQLite and PostgreSQL; tasks' declared paths follow their owner.",
  dependsOn: ['auth'],
  optionalDependsOn: ['workers', 'tasks', 'policy'],
  config: leasesOptionsSchema,
  tables: allLeaseTables,
  migrations: { '0001_leases': leasesMigration, '0002_lease_flags': leaseFlagsMigration },
  errors: allLeaseErrors,
  events: allLeaseEvents,
  // GET /leases/flags before GET /leases/:id, which would take `flags` for an id.
  operations: [...enforceOperations, ...leaseOperations],
  setup(ctx): LeasesApi {
    const clock = ctx.options.testClock ? fakeClock(ctx.options.testClock.startAt) : systemClock;
    const workers = () => ctx.use<WorkersApi | undefined>('workers');
    const tasks = () => ctx.use<TasksApi | undefined>('tasks');
    const policy = () => ctx.use<PolicyApi | undefined>('policy');
    const service = new LeaseService({
      db: ctx.db,
      clock,
      emit: ctx.events.emit,
      log: ctx.log,
      options: ctx.options,
      tasks,
      workers,
    });
    ctx.health.count('active_leases', (team) => service.countActive(team));
    return { leases: service, options: ctx.options, clock, workers, tasks, policy };
  },
  start(ctx, api) {
    ctx.onStop(startUpkeep(ctx, api, api.clock));
    ctx.onStop(startTaskPaths(ctx, api));
    ctx.onStop(startEnforcement(ctx, api));
  },
});

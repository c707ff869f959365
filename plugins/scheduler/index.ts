import { definePlugin, defineEvents, mergeErrors, type Identity } from '../../core/index.js';
import type { AuthApi } from '../auth/index.js';
import type { MetricsApi } from '../metrics/index.js';
import type { SessionsApi } from '../sessions/index.js';
import type { TasksApi } from '../tasks/index.js';
import type { WorkersApi } from '../workers/index.js';
import { acceleratedClock, type Clock, fakeClock, systemClock } from './clock.js';
import { scheduleErrors } from './errors.js';
import { scheduleEvents } from './events.js';
import { SchedulerMetrics } from './metrics.js';
import { schedulesMigration } from './migrations/0001-schedules.js';
import { schedulerOperations } from './operations-scheduler.js';
import { type SchedulerOptions, schedulerOptionsSchema } from './options.js';
import { Dispatcher } from './schedules/dispatcher.js';
import { FiringEngine } from './schedules/engine.js';
import { RunStore } from './schedules/runs.js';
import { ScheduleService } from './schedules/schedule-service.js';
import { schedulerTables } from './tables.js';
import { OutboundSender, outboundErrors } from './outbound/index.js';
import {
  TemplateService,
  templateErrors,
  templateEvents,
  templateOperations,
  templatesNotificationsMigration,
} from './templates/index.js';
import { Notifier, notificationErrors, notificationEvents, notificationOperations } from './notifications/index.js';
import { AuditLoop, auditErrors, auditEvents, auditMigration, auditOperations } from './audit/index.js';
import { coordinationOperations } from './coordination/index.js';
import { JobQueue, queueErrors, queueEvents, queueMigration, queueOperations } from './queue/index.js';
import {
  InboundWebhooks,
  webhookErrors,
  webhookEvents,
  webhookOperations,
  webhooksMigration,
} from './webhooks/index.js';
import { fileURLToPath } from 'node:url';

export type { RunOutcome, ScheduleAction, TemplateContext } from './schedules/action.js';
export type { Clock } from './clock.js';
export type { DispatchOrigin } from './schedules/dispatcher.js';
export type { RunView, ScheduleView } from './schedules/views.js';

export interface SchedulerStatus {
  running: boolean;
  queued: number;
  schedules: number;
  enabledSchedules: number;
  uptime: number;
  timestamp: string;
  activeRuns: number;
  nextRun: string | null;
}

/** What dependents and this plugin's operations get from ctx.use('scheduler'). */
export interface SchedulerApi {
  clock: Clock;
  schedules: ScheduleService;
  runs: RunStore;
  dispatcher: Dispatcher;
  engine: FiringEngine;
  queue: JobQueue;
  webhooks: InboundWebhooks;
  templates: TemplateService;
  outbound: OutboundSender;
  notifier: Notifier;
  audit: AuditLoop;
  status(team: string): Promise<SchedulerStatus>;
  /** Start or stop the caller's team's scheduler (kept across restarts); idempotent. */
  setRunning(caller: Identity, running: boolean): Promise<void>;
  workers(): WorkersApi | undefined;
  tasks(): TasksApi | undefined;
  sessions(): SessionsApi | undefined;
  metrics(): MetricsApi | undefined;
}

/** The system clock, or a test's (options.testClock). */
function clockOf(test: SchedulerOptions['testClock']): Clock {
  if (!test) return systemClock;
  if (test.manual) return fakeClock(test.startAt);
  return acceleratedClock({
    startAt: test.startAt,
    anchor: test.anchor ?? Date.now(),
    msPerMinute: test.msPerMinute ?? 60_000,
  });
}

export const scheduler = definePlugin({
  name: 'scheduler',
  description:
    'Cron schedules that fire exactly once per slot (a run row per slot before dispatch), catch-up and overlap ' +
    'policies, honest run outcomes with evidence; the queue, templates, webhooks in and out, notifications, audit.',
  dependsOn: ['auth'],
  optionalDependsOn: ['workers', 'tasks', 'sessions', 'metrics'],
  config: schedulerOptionsSchema,
  tables: schedulerTables,
  migrations: {
    '0001_schedules': schedulesMigration,
    '0002_queue': queueMigration,
    '0003_templates_notifications': templatesNotificationsMigration,
    '0004_webhooks': webhooksMigration,
    '0005_audit': auditMigration,
  },
  errors: mergeErrors(
    scheduleErrors,
    queueErrors,
    webhookErrors,
    templateErrors,
    outboundErrors,
    notificationErrors,
    auditErrors,
  ),
  events: defineEvents({
    ...scheduleEvents,
    ...queueEvents,
    ...webhookEvents,
    ...templateEvents,
    ...notificationEvents,
    ...auditEvents,
  }),
  operations: [
    ...schedulerOperations,
    ...queueOperations,
    ...webhookOperations,
    ...templateOperations,
    ...notificationOperations,
    ...auditOperations,
    ...coordinationOperations,
  ],
  panel: { entry: fileURLToPath(new URL('./panel/index.js', import.meta.url)), title: 'Runs', order: 70 },
  setup(ctx): SchedulerApi {
    const options = ctx.options;
    const clock = clockOf(options.testClock);
    const workers = () => ctx.use<WorkersApi | undefined>('workers');
    const tasks = () => ctx.use<TasksApi | undefined>('tasks');
    const jobs = new JobQueue({
      db: ctx.db,
      dialect: ctx.dialect,
      clock,
      log: ctx.log,
      emit: ctx.events.emit,
      options: ctx.options.queue,
    });
    const queue = () => jobs;
    const dispatcher = new Dispatcher({
      workers: () => workers(),
      tasks: () => tasks(),
      auth: () => ctx.use<AuthApi>('auth'),
      queue,
      audit: () => auditLoop,
      on: ctx.events.on,
      log: ctx.log,
      turnStartTimeoutMs: () => ctx.options.turnStartTimeoutMs,
    });
    const schedules = new ScheduleService(ctx.db, clock, ctx.events.emit, () => ctx.options.timezone);
    const runs = new RunStore(ctx.db);
    const metrics = new SchedulerMetrics(() => ctx.use<MetricsApi | undefined>('metrics')?.metrics.registry);
    const engine = new FiringEngine({
      db: ctx.db,
      clock,
      dispatcher,
      emit: ctx.events.emit,
      on: ctx.events.on,
      log: ctx.log,
      options: () => ctx.options,
      metrics,
      workers: () => workers(),
      queue,
    });
    const outbound = new OutboundSender({
      options: { ...ctx.options.outbound, secret: ctx.options.outbound.secret ?? process.env.FLEET_WEBHOOK_SECRET },
      clock,
      log: ctx.log,
    });
    const templates = new TemplateService({
      db: ctx.db,
      clock,
      log: ctx.log,
      emit: ctx.events.emit,
      queue,
      dispatch: () => (team, action, origin) => dispatcher.dispatch(team, action, origin),
    });
    const notifier = new Notifier({
      db: ctx.db,
      clock,
      log: ctx.log,
      emit: ctx.events.emit,
      queue,
      sender: () => outbound,
    });
    const auditLoop = new AuditLoop({
      db: ctx.db,
      clock,
      log: ctx.log,
      emit: ctx.events.emit,
      options: () => ctx.options.audit,
      tasks,
    });
    const webhooks = new InboundWebhooks({
      db: ctx.db,
      clock,
      log: ctx.log,
      emit: ctx.events.emit,
      options: () => ctx.options.webhooks,
      dispatch: () => (team, action, origin) => dispatcher.dispatch(team, action, origin),
    });
    ctx.health.count('schedules', async (team) => (await schedules.counts(team)).schedules);
    const api: SchedulerApi = {
      clock,
      schedules,
      runs,
      dispatcher,
      engine,
      queue: jobs,
      webhooks,
      templates,
      outbound,
      notifier,
      audit: auditLoop,
      async status(team) {
        const counts = await schedules.counts(team);
        const list = await schedules.list(team);
        const next = list
          .map((schedule) => schedule.nextRun)
          .filter((at): at is string => at !== undefined)
          .sort()[0];
        const queued = await ctx.db
          .selectFrom('schedule_runs')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('team_name', '=', team)
          .where('status', '=', 'waiting')
          .executeTakeFirstOrThrow();
        return {
          running: engine.looping && engine.teamRunning(team),
          queued: Number(queued.n),
          schedules: counts.schedules,
          enabledSchedules: counts.enabled,
          uptime: Math.round(process.uptime()),
          timestamp: new Date(clock.now()).toISOString(),
          activeRuns: await runs.countActive(team),
          nextRun: engine.teamRunning(team) ? (next ?? null) : null,
        };
      },
      async setRunning(caller, running) {
        if (!(await engine.setTeamRunning(caller.teamName, running))) return;
        ctx.events.emit(running ? 'scheduler_started' : 'scheduler_stopped', caller.teamName, { by: caller.handle });
      },
      workers,
      tasks,
      sessions: () => ctx.use<SessionsApi | undefined>('sessions'),
      metrics: () => ctx.use<MetricsApi | undefined>('metrics'),
    };
    return api;
  },

  async start(ctx, api: SchedulerApi) {
    for (const schedule of ctx.options.schedules) {
      try {
        await api.schedules.upsertFromConfig(schedule.teamName, schedule);
      } catch (error) {
        ctx.log.error(`scheduler: config schedule ${schedule.teamName}/${schedule.name} refused`, {
          error: (error as Error).message,
        });
      }
    }
    ctx.onStop(api.templates.register(api.queue));
    ctx.onStop(api.outbound.register(api.queue));
    ctx.onStop(api.notifier.register(api.queue));
    ctx.onStop(api.notifier.listen(ctx.events.on));
    await api.audit.recover();
    await api.queue.start();
    ctx.onStop(() => api.queue.stop());
    await api.webhooks.recover();
    ctx.onStop(() => api.webhooks.drain());
    await api.engine.start();
    ctx.onStop(() => api.engine.stop());
  },
});

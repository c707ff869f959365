import { definePlugin } from '../../core/index.js';
import type { AuthApi } from '../auth/index.js';
import type { MetricsApi } from '../metrics/index.js';
import type { TasksApi } from '../tasks/index.js';
import type { TokenCounts, WorkersApi } from '../workers/index.js';
import { type CostQuery, costReport } from './costs.js';
import { sessionsErrors } from './errors.js';
import { sessionsEvents } from './events.js';
import { AccountingMetrics } from './metrics.js';
import { sessionsMigration } from './migrations/0001-sessions.js';
import { sessionTextMigration } from './migrations/0002-session-text.js';
import { usageHourlyMigration } from './migrations/0003-usage-hourly.js';
import { costOperations } from './operations-costs.js';
import { dailyCostOperations } from './operations-daily-costs.js';
import { sessionOperations } from './operations-sessions.js';
import { sessionsOptionsSchema } from './options.js';
import type { CheckpointsPort } from './ports.js';
import { type SearchQuery, searchTranscripts } from './search.js';
import { SessionStore } from './session-store.js';
import { type Changes, SessionTracker, workerKey } from './session-tracker.js';
import { type SessionRow, sessionView } from './session-view.js';
import { SessionsService } from './sessions-service.js';
import { sessionsTables } from './tables.js';
import { TranscriptIndex } from './transcript-index.js';
import { UsageFlow } from './usage-flow.js';
import { UsageRecorder } from './usage-recorder.js';
import { HeldTasks } from './held-tasks.js';
import { WorkerQueues } from './worker-queues.js';
import { priceTokens, type SpentFilter, type SpentSums, spentSince } from './spent.js';
import { fileURLToPath } from 'node:url';

export type { SessionView } from './session-view.js';
export type { ModelCost } from './events.js';
export type { CostGroup, CostQuery } from './costs.js';
export type { SpentFilter, SpentSums } from './spent.js';

/** What dependents and this plugin's operations get from ctx.use('sessions'). */
export interface SessionsApi {
  service: SessionsService;
  store: SessionStore;
  search(teamName: string, query: SearchQuery): ReturnType<typeof searchTranscripts>;
  costs(teamName: string, query: CostQuery): ReturnType<typeof costReport>;
  /** Resolves once every event heard so far is recorded and the transcript text kept so far is indexed. */
  settled(): Promise<void>;
  /** What was recorded for a team (or the fleet), worker or task since a time (the budgets plugin's totals). */
  spent(filter: SpentFilter): Promise<SpentSums>;
  /** Tokens of a model priced with the price table (nano-dollars), or null when it has no price for the model. */
  price(model: string, tokens: TokenCounts): number | null;
}

/** What start and stop use of what setup built, beside the api. */
interface Internals {
  index: TranscriptIndex;
  queues: WorkerQueues;
  tracker: SessionTracker;
  announce(changes: Changes): void;
}
const internalsOf = new WeakMap<SessionsApi, Internals>();

/** The time range of a query: until after since, or a 400 naming until. */
function checkRange(query: { since?: number; until?: number }): void {
  if (query.since !== undefined && query.until !== undefined && query.until <= query.since)
    throw sessionsErrors.SESSIONS_BAD_RANGE({}, { field: 'until' });
}

export const sessions = definePlugin({
  name: 'sessions',
  description:
    'Sessions and their lineage (trim and continue into a fresh context), exact token and cost accounting ' +
    'by task, worker, session, team and model, and full-text search over what agents wrote.',
  dependsOn: ['auth'],
  optionalDependsOn: ['workers', 'tasks', 'checkpoints', 'metrics'],
  config: sessionsOptionsSchema,
  tables: sessionsTables,
  migrations: {
    '0001_sessions': sessionsMigration,
    '0002_session_text': sessionTextMigration,
    '0003_usage_hourly': usageHourlyMigration,
  },
  errors: sessionsErrors,
  events: sessionsEvents,
  operations: [...sessionOperations, ...costOperations, ...dailyCostOperations],
  panel: { entry: fileURLToPath(new URL('./panel/index.js', import.meta.url)), title: 'Costs', order: 50 },
  setup(ctx): SessionsApi {
    const store = new SessionStore(ctx.db);
    const tracker = new SessionTracker(store);
    const queues = new WorkerQueues((key, error) =>
      ctx.log.error(`sessions: recording for ${key} failed`, { error: error.message }),
    );
    const workers = () => ctx.use<WorkersApi | undefined>('workers');
    const tasks = () => ctx.use<TasksApi | undefined>('tasks');
    const announce = (changes: Changes) => {
      for (const row of changes.ended) ctx.events.emit('session_ended', row.team_name, view(row));
      for (const row of changes.started) ctx.events.emit('session_started', row.team_name, view(row));
    };
    const view = (row: SessionRow) => ({ handle: row.handle, session: sessionView(row) });
    const service = new SessionsService(
      store,
      tracker,
      queues,
      {
        auth: () => ctx.use<AuthApi>('auth'),
        workers,
        tasks,
        checkpoints: () => ctx.use<CheckpointsPort | undefined>('checkpoints'),
      },
      () => ctx.options,
      ctx.log,
      {
        started: (row) => ctx.events.emit('session_started', row.team_name, view(row)),
        trimmed: (row, checkpoint, child) =>
          ctx.events.emit('session_trimmed', row.team_name, {
            ...view(row),
            checkpoint,
            continuedIn: child?.id ?? null,
          }),
      },
    );
    const recorder = new UsageRecorder(store, () => ctx.options.prices);
    const heldTasks = new HeldTasks((teamName, handle) => service.taskOf(teamName, handle));
    const metrics = new AccountingMetrics(() => ctx.use<MetricsApi | undefined>('metrics')?.metrics.registry);
    const index = new TranscriptIndex(ctx.db, ctx.dialect, store, ctx.log, () => ctx.options.indexDelayMs);
    ctx.health.count('sessions', (team) => store.countAll(team));

    const flow = new UsageFlow({
      recorder,
      queues,
      tasks: heldTasks,
      metrics,
      service,
      store,
      workers,
      autoTrim: () => ctx.options.autoTrim,
      emit: ctx.events.emit,
      started: (row) => announce({ started: [row], ended: [] }),
      log: ctx.log,
    });
    ctx.events.on('worker_usage', (event) => flow.onUsage(event.team, event.data));
    ctx.events.on(['task_created', 'task_updated', 'task_resolved', 'task_assigned'], (event) =>
      heldTasks.forgetTeam(event.team),
    );

    ctx.events.on('worker_session', (event) => {
      const { handle } = event.data;
      flow.closeBatch(event.team, handle);
      void queues.run(workerKey(event.team, handle), async () => {
        const task = await heldTasks.of(event.team, handle);
        announce(await tracker.onSession(event.team, event.data, task?.id ?? null));
      });
    });
    ctx.events.on(['worker_dismissed', 'worker_failed'], (event) => {
      const { handle } = event.data;
      const reason = event.type === 'worker_dismissed' ? 'dismissed' : 'failed';
      flow.closeBatch(event.team, handle);
      void queues.run(workerKey(event.team, handle), async () => {
        announce({ started: [], ended: await tracker.onWorkerEnded(event.team, handle, reason) });
      });
    });
    const api: SessionsApi = {
      service,
      store,
      search: (teamName, query) => {
        checkRange(query);
        return searchTranscripts(ctx.db, ctx.dialect, teamName, query);
      },
      costs: (teamName, query) => {
        checkRange(query);
        return costReport(ctx.db, teamName, query);
      },
      settled: async () => {
        await queues.all();
        await index.flush();
      },
      spent: (filter) => spentSince(ctx.db, filter),
      price: (model, tokens) => priceTokens(ctx.options.prices, model, tokens),
    };
    internalsOf.set(api, { index, queues, tracker, announce });
    return api;
  },

  /** Catch up with the workers (sessions that ended or began while this plugin was off), then listen to their text. */
  async start(ctx, api) {
    const internals = internalsOf.get(api)!;
    const workers = ctx.use<WorkersApi | undefined>('workers');
    if (!workers) return;
    const store = workers.manager.store;
    internals.announce(
      await internals.tracker.reconcile(await store.listLive(), (teamName, handle) => store.get(teamName, handle)),
    );
    ctx.onStop(workers.addTranscriptListener((batch) => internals.index.add(batch)));
  },

  async stop(_ctx, api) {
    if (!api) return;
    const internals = internalsOf.get(api);
    if (!internals) return;
    await internals.queues.all();
    await internals.index.close();
  },
});

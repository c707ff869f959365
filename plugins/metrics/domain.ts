import { Gauge, type Registry } from 'prom-client';
import type { MailApi } from '../mail/index.js';
import type { TasksApi } from '../tasks/index.js';
import type { WorkersApi } from '../workers/index.js';

/** The plugins the domain metrics read, each undefined while it is off (asked at scrape time). */
export interface DomainSources {
  workers(): WorkersApi | undefined;
  tasks(): TasksApi | undefined;
  mail(): MailApi | undefined;
}

const WORKER_STATES = ['starting', 'ready', 'working', 'idle', 'stopping'] as const;
const WORKER_HEALTH = ['healthy', 'degraded', 'unhealthy'] as const;
/** Claude Code's `usage` fields, by the `kind` label they get. */
const TOKEN_KINDS = {
  input: 'input_tokens',
  output: 'output_tokens',
  cache_creation: 'cache_creation_input_tokens',
  cache_read: 'cache_read_input_tokens',
} as const;

const numberOf = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

function usageOf(json: string | null): Record<string, unknown> {
  if (!json) return {};
  try {
    const usage = JSON.parse(json) as unknown;
    return typeof usage === 'object' && usage !== null ? (usage as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/**
 * The fleet's own numbers, fleet-wide (no team label: /metrics is the operator's), read when
 * Prometheus scrapes and never in between: live workers by state and health with their cost,
 * turns and tokens (one query bounded by the live workers), tasks by status (one grouped COUNT on
 * the (team_name, status) index), the spawn queue's depth and the mail (COUNTs). While a plugin is
 * off, its labelled gauges have no samples and the others read 0.
 */
export function registerDomainMetrics(registry: Registry, sources: DomainSources): void {
  // One read of the live workers serves every worker gauge of a scrape (they collect together).
  let live: { at: number; rows: ReturnType<WorkersApi['manager']['store']['listLive']> } | undefined;
  const liveWorkers = (workers: WorkersApi) => {
    if (!live || Date.now() - live.at > 1000) live = { at: Date.now(), rows: workers.manager.store.listLive() };
    return live.rows;
  };
  const gauge = <L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    collect: (gauge: Gauge<L>) => Promise<void>,
  ) =>
    new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        this.reset();
        await collect(this);
      },
    });

  gauge('fleet_workers', 'Live workers, by state', ['state'], async (g) => {
    const workers = sources.workers();
    if (!workers) return;
    const rows = await liveWorkers(workers);
    for (const state of WORKER_STATES) g.set({ state }, rows.filter((row) => row.state === state).length);
  });
  gauge('fleet_workers_health', 'Live workers, by health', ['health'], async (g) => {
    const workers = sources.workers();
    if (!workers) return;
    const rows = await liveWorkers(workers);
    for (const health of WORKER_HEALTH) g.set({ health }, rows.filter((row) => row.health === health).length);
  });
  gauge('fleet_workers_cost_usd', 'What the live workers’ agents report having spent, in US dollars', [], async (g) => {
    const workers = sources.workers();
    if (!workers) return;
    const rows = await liveWorkers(workers);
    g.set(rows.reduce((sum, row) => sum + numberOf(Number(row.cost_usd)), 0));
  });
  gauge('fleet_workers_turns', 'Turns the live workers’ agents report', [], async (g) => {
    const workers = sources.workers();
    if (!workers) return;
    const rows = await liveWorkers(workers);
    g.set(rows.reduce((sum, row) => sum + numberOf(Number(row.num_turns)), 0));
  });
  gauge('fleet_workers_tokens', 'Tokens the live workers’ agents report, by kind', ['kind'], async (g) => {
    const workers = sources.workers();
    if (!workers) return;
    const usages = (await liveWorkers(workers)).map((row) => usageOf(row.usage));
    for (const [kind, field] of Object.entries(TOKEN_KINDS))
      g.set(
        { kind },
        usages.reduce((sum, usage) => sum + numberOf(usage[field]), 0),
      );
  });
  gauge('fleet_spawn_queue_depth', 'Spawns waiting for a free worker slot', [], async (g) => {
    const workers = sources.workers();
    if (workers) g.set(await workers.manager.queue.depth());
  });
  gauge('fleet_tasks', 'Tasks, by status', ['status'], async (g) => {
    const tasks = sources.tasks();
    if (!tasks) return;
    for (const [status, count] of Object.entries(await tasks.tasks.counts())) g.set({ status }, count);
  });
  gauge('fleet_chat_messages', 'Chat messages (direct and team broadcast) stored', [], async (g) => {
    const mail = sources.mail();
    if (mail) g.set(await mail.chats.countMessages());
  });
  gauge('fleet_mail', 'Mail in the mailboxes, by whether it was read', ['read'], async (g) => {
    const mail = sources.mail();
    if (!mail) return;
    const { total, unread } = await mail.mail.countAll();
    g.set({ read: 'false' }, unread);
    g.set({ read: 'true' }, total - unread);
  });
}

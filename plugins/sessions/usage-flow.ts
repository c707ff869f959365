import type { Logger, PluginContext } from '../../core/index.js';
import type { WorkersApi } from '../workers/index.js';
import type { ModelCost } from './events.js';
import type { HeldTasks } from './held-tasks.js';
import type { AccountingMetrics } from './metrics.js';
import type { SessionStore } from './session-store.js';
import { workerKey } from './session-tracker.js';
import type { SessionRow } from './session-view.js';
import type { SessionsService } from './sessions-service.js';
import { fromNanos } from './spend.js';
import type { UsageData, UsageRecorder } from './usage-recorder.js';
import type { WorkerQueues } from './worker-queues.js';

/** How long a worker's first waiting result waits for more to record with it. */
const GATHER_MS = 20;

interface Deps {
  recorder: UsageRecorder;
  queues: WorkerQueues;
  tasks: HeldTasks;
  metrics: AccountingMetrics;
  service: SessionsService;
  store: SessionStore;
  workers(): WorkersApi | undefined;
  /** The plugin's autoTrim option. */
  autoTrim(): number | false;
  emit: PluginContext['events']['emit'];
  started(row: SessionRow): void;
  log: Logger;
}

/**
 * From `worker_usage` to the accounting: the results of a worker that come together (one read of its
 * log) are recorded in one go, in its queue; then each gets its `cost_recorded` and the counters, and
 * a context past the worker's autoTrim is trimmed and continued.
 */
export class UsageFlow {
  /** By workerKey: results waiting for their worker's queue to record them. */
  readonly #pending = new Map<string, UsageData[]>();
  /** By team/handle/workerCreatedAt: the spawn's autoTrim, or null (the plugin's). */
  readonly #autoTrim = new Map<string, number | null>();

  constructor(private readonly deps: Deps) {}

  onUsage(teamName: string, data: UsageData): void {
    const key = workerKey(teamName, data.handle);
    const waiting = this.#pending.get(key);
    if (waiting) {
      waiting.push(data);
      return;
    }
    const batch = [data];
    this.#pending.set(key, batch);
    void this.deps.queues.run(key, async () => {
      // Results come one at a time from the log's reading: those of the next few ms join this batch
      // (one transaction for them all), unless something else of the worker is queued meanwhile.
      await new Promise((resolveWait) => setTimeout(resolveWait, GATHER_MS));
      if (this.#pending.get(key) === batch) this.#pending.delete(key);
      await this.#record(teamName, batch);
    });
  }

  /** Something else of the worker is queued: results after it must wait for it (a new session first). */
  closeBatch(teamName: string, handle: string): void {
    this.#pending.delete(workerKey(teamName, handle));
  }

  async #record(teamName: string, batch: UsageData[]): Promise<void> {
    const { deps } = this;
    const task = await deps.tasks.of(teamName, batch[0]!.handle);
    const recorded = await deps.recorder.record(
      teamName,
      batch.map((data) => ({ data, taskId: task?.id ?? null })),
    );
    for (const result of recorded) {
      if (result.sessionStarted) deps.started(result.sessionStarted);
      if (result.duplicate) continue;
      deps.metrics.record(result.spends);
      const models: ModelCost[] = result.spends.map((spend) => ({
        model: spend.model,
        inputTokens: spend.tokens.input,
        outputTokens: spend.tokens.output,
        cacheReadTokens: spend.tokens.cacheRead,
        cacheWriteTokens: spend.tokens.cacheWrite,
        costUsd: fromNanos(spend.costNanos),
        costSource: spend.costSource,
      }));
      const known = result.spends.filter((spend) => spend.costNanos !== null);
      deps.emit('cost_recorded', teamName, {
        handle: result.data.handle,
        sessionId: result.sessionId,
        agentSessionId: result.agentSessionId,
        taskId: result.taskId,
        models,
        costUsd: known.length === 0 ? null : fromNanos(known.reduce((n, s) => n + s.costNanos!, 0)),
        contextTokens: result.data.contextTokens,
      });
    }
    const last = recorded.filter((r) => !r.duplicate && !r.data.isError && r.data.contextTokens !== null).at(-1);
    if (last) await this.#autoTrimCheck(teamName, last.data, last.sessionId);
  }

  /** A context past the worker's threshold is trimmed and continued (not awaited: trim waits for this queue). */
  async #autoTrimCheck(teamName: string, data: UsageData, sessionId: string): Promise<void> {
    const { deps } = this;
    const workers = deps.workers();
    if (!workers || deps.service.isBusy(sessionId)) return;
    const threshold = await this.#thresholdOf(workers, teamName, data);
    if (threshold === false || data.contextTokens! < threshold) return;
    const session = await deps.store.find(teamName, sessionId);
    if (!session || session.ended_at !== null) return;
    deps.log.info(`autoTrim: ${teamName}/${data.handle} reported ${data.contextTokens} context tokens`);
    void deps.service.trim(undefined, teamName, sessionId, { continue: true }).catch((error: unknown) => {
      deps.log.warn(`autoTrim of ${teamName}/${data.handle} failed`, { error: (error as Error).message });
    });
  }

  async #thresholdOf(workers: WorkersApi, teamName: string, data: UsageData): Promise<number | false> {
    const key = `${teamName}/${data.handle}/${data.workerCreatedAt}`;
    let own = this.#autoTrim.get(key);
    if (own === undefined) {
      const row = await workers.manager.store.get(teamName, data.handle);
      if (!row || Number(row.created_at) !== data.workerCreatedAt) return this.deps.autoTrim();
      // A spawn's own never changes; the plugin's may (the config is live), so it is read each time.
      own = (JSON.parse(row.spec) as { autoTrim?: number }).autoTrim ?? null;
      this.#autoTrim.set(key, own);
    }
    if (own === null) return this.deps.autoTrim();
    return own > 0 ? own : false;
  }
}

import type { Kysely } from 'kysely';
import {
  type EventType,
  type FleetEventMap,
  type Identity,
  isOutboundUrlError,
  type Logger,
  type PluginContext,
} from '../../../core/index.js';
import type { Clock } from '../clock.js';
import type { OutboundSender } from '../outbound/index.js';
import type { JobQueue, JobResult } from '../queue/index.js';
import { notificationErrors } from './errors.js';
import { type ChannelName, type Channels, type Notice, payloadFor } from './payloads.js';
import type { NotificationTables } from './tables.js';

type Emit = <K extends EventType>(type: K, team: string, data: FleetEventMap[K]) => unknown;

export const CHANNEL_NAMES: readonly ChannelName[] = ['slack', 'teams', 'discord'];

export interface NotificationSettings {
  enabled: boolean;
  channels: ChannelName[];
}

/** One channel's answer to a test: what really happened. */
export interface ChannelResult {
  channel: ChannelName;
  outcome: 'delivered' | 'failed' | 'refused';
  status?: number;
  reason?: string;
}

/** A 'notification' job's payload. */
interface NotificationJob {
  channel: ChannelName;
  url: string;
  body: Record<string, unknown>;
}

/**
 * Per-team notifications to Slack, Teams and Discord. URLs are checked when they are configured
 * (and again at each send); notices go through the queue as 'notification' jobs, so a failed post
 * is retried and ends dead-lettered, never silently lost. The test sends directly and answers what
 * each channel did.
 */
export class Notifier {
  private readonly db: Kysely<NotificationTables>;
  /** Runs already notified for an outcome (run_finished may repeat as a run's work goes on). */
  private readonly notified = new Set<string>();

  constructor(
    private readonly deps: {
      db: Kysely<NotificationTables> | Kysely<unknown>;
      clock: Clock;
      log: Logger;
      emit: Emit;
      queue: () => JobQueue;
      sender: () => OutboundSender;
    },
  ) {
    this.db = deps.db as Kysely<NotificationTables>;
  }

  private async read(team: string): Promise<{ enabled: boolean; channels: Channels } | undefined> {
    const row = await this.db
      .selectFrom('scheduler_notifications')
      .selectAll()
      .where('team_name', '=', team)
      .executeTakeFirst();
    return row ? { enabled: Number(row.enabled) === 1, channels: JSON.parse(row.channels) as Channels } : undefined;
  }

  async settings(team: string): Promise<NotificationSettings> {
    const stored = await this.read(team);
    return { enabled: stored?.enabled ?? false, channels: channelsOf(stored?.channels ?? {}) };
  }

  /** Replace the team's channels (leads); every URL is checked first: 400 naming the field. */
  async configure(caller: Identity, channels: Channels): Promise<NotificationSettings> {
    for (const name of CHANNEL_NAMES) {
      const url = channels[name]?.webhookUrl;
      if (url === undefined) continue;
      try {
        await this.deps.sender().check(url);
      } catch (error) {
        if (!isOutboundUrlError(error)) throw error;
        const field = `${name}.webhookUrl`;
        throw notificationErrors.SCHEDULER_NOTIFY_BAD_URL({ field, reason: error.message }, { field });
      }
    }
    const previous = await this.read(caller.teamName);
    const enabled = previous?.enabled ?? true;
    const row = {
      enabled: enabled ? 1 : 0,
      channels: JSON.stringify(channels),
      updated_by: caller.handle,
      updated_at: this.deps.clock.now(),
    };
    await this.db
      .insertInto('scheduler_notifications')
      .values({ team_name: caller.teamName, ...row })
      .onConflict((oc) => oc.column('team_name').doUpdateSet(row))
      .execute();
    const names = channelsOf(channels);
    this.deps.emit('notifications_configured', caller.teamName, { channels: names, by: caller.handle });
    return { enabled, channels: names };
  }

  async setEnabled(caller: Identity, enabled: boolean): Promise<NotificationSettings> {
    const row = { enabled: enabled ? 1 : 0, updated_by: caller.handle, updated_at: this.deps.clock.now() };
    await this.db
      .insertInto('scheduler_notifications')
      .values({ team_name: caller.teamName, channels: '{}', ...row })
      .onConflict((oc) => oc.column('team_name').doUpdateSet(row))
      .execute();
    this.deps.emit('notifications_toggled', caller.teamName, { enabled, by: caller.handle });
    return this.settings(caller.teamName);
  }

  /** Send a test notice to every configured channel now and say what each did. */
  async test(caller: Identity): Promise<{ enabled: boolean; results: ChannelResult[] }> {
    const stored = await this.read(caller.teamName);
    const channels = stored?.channels ?? {};
    const notice: Notice = {
      type: 'test',
      team: caller.teamName,
      title: 'Test Notification',
      message: `A test notification from the fleet, sent by ${caller.handle}.`,
      severity: 'info',
      at: new Date(this.deps.clock.now()).toISOString(),
    };
    const results: ChannelResult[] = [];
    for (const name of channelsOf(channels)) {
      const result = await this.deps.sender().send({
        url: channels[name]!.webhookUrl,
        body: payloadFor(name, notice, channels),
        deliveryId: `fleet-test-${caller.teamName}-${this.deps.clock.now()}`,
        requireSignature: false,
      });
      results.push(channelResult(name, result));
    }
    return { enabled: stored?.enabled ?? false, results };
  }

  /** Queue a notice to every channel of the team, when its notifications are on; the job ids. */
  async notify(notice: Notice): Promise<number[]> {
    const stored = await this.read(notice.team);
    if (!stored?.enabled) return [];
    const ids: number[] = [];
    for (const name of channelsOf(stored.channels)) {
      const payload: NotificationJob = {
        channel: name,
        url: stored.channels[name]!.webhookUrl,
        body: payloadFor(name, notice, stored.channels),
      };
      const job = await this.deps.queue().enqueue({
        team: notice.team,
        kind: 'notification',
        name: `${notice.type}-${name}`,
        payload,
        priority: 'high',
        trigger: 'alert',
        triggerEvent: notice.type,
      });
      ids.push(job.id);
    }
    return ids;
  }

  /** The queue's 'notification' handler: one post to one channel. */
  register(queue: JobQueue): () => void {
    return queue.registerHandler('notification', async (job) => {
      const payload = job.payload as Partial<NotificationJob> | undefined;
      if (typeof payload?.url !== 'string') return { outcome: 'refused', reason: 'the job has no url' };
      return this.deps.sender().send({
        url: payload.url,
        body: payload.body ?? {},
        deliveryId: `fleet-job-${job.id}`,
        requireSignature: false,
      });
    });
  }

  /** Notify on runs that failed or were refused, and on dead jobs (but not dead notifications: no loop). */
  listen(on: PluginContext['events']['on']): () => void {
    const offRuns = on('run_finished', (event) => {
      const run = event.data.run;
      if (run.outcome !== 'failed' && run.outcome !== 'refused') return;
      const key = `${run.id}:${run.outcome}`;
      if (this.notified.has(key)) return;
      this.remember(key);
      void this.notify({
        type: `run_${run.outcome}`,
        team: event.team,
        title: `Schedule ${run.scheduleName}: run ${run.outcome}`,
        message: run.reason ?? `The run of ${run.slot} was ${run.outcome}.`,
        severity: run.outcome === 'failed' ? 'error' : 'warning',
        fields: { schedule: run.scheduleName, slot: run.slot, outcome: run.outcome },
        at: new Date(this.deps.clock.now()).toISOString(),
      }).catch((error: unknown) => this.deps.log.error('notifications: could not queue', { error: String(error) }));
    });
    const offJobs = on('job_dead', (event) => {
      if (event.data.kind === 'notification') return;
      void this.notify({
        type: 'job_dead',
        team: event.team,
        title: `Job ${event.data.name} is dead-lettered`,
        message: `After ${event.data.attempts} attempts: ${event.data.reason}`,
        severity: 'error',
        fields: { job: String(event.data.id), kind: event.data.kind, attempts: String(event.data.attempts) },
        at: new Date(this.deps.clock.now()).toISOString(),
      }).catch((error: unknown) => this.deps.log.error('notifications: could not queue', { error: String(error) }));
    });
    return () => {
      offRuns();
      offJobs();
    };
  }

  private remember(key: string): void {
    this.notified.add(key);
    if (this.notified.size > 10_000) this.notified.delete(this.notified.values().next().value as string);
  }
}

function channelsOf(channels: Channels): ChannelName[] {
  return CHANNEL_NAMES.filter((name) => channels[name]?.webhookUrl !== undefined);
}

function channelResult(channel: ChannelName, result: JobResult): ChannelResult {
  if (result.outcome === 'delivered') return { channel, outcome: 'delivered', status: Number(result.evidence.status) };
  return { channel, outcome: result.outcome, reason: result.reason };
}

import { randomUUID } from 'node:crypto';
import t from 'tap';
import { runConformance } from '../../test/kit/conformance.js';
import { startFleet, waitFor } from '../../test/kit/index.js';
import type { SchedulerApi } from './index.js';
import { fleetSignature } from './webhooks/index.js';

const SECRET = 'conformance-secret-0123456789';

t.test('scheduler: every operation conforms (401, other teams, required fields, route and tool agree)', async (t) => {
  const fleet = await startFleet(t, {
    plugins: {
      auth: true,
      mail: true,
      tasks: true,
      scheduler: {
        // Jobs of a kind nobody handles fail at once; a failed one waits long before its next attempt.
        queue: { backoffBaseMs: 3_600_000, backoffMaxMs: 3_600_000, pollMs: 50 },
        webhooks: { generic: { conf: { secret: SECRET, team: 'alpha', rules: [] } } },
      },
    },
    config: { server: { rateLimit: { max: 1_000_000 } } },
  });
  const api = fleet.kernel.api<SchedulerApi>('scheduler')!;
  t.teardown(
    api.queue.registerHandler('conformance', async () => ({ outcome: 'failed', reason: 'a conformance job' })),
  );
  const schedule = async ({ alpha, call }: any, name = `s-${randomUUID().slice(0, 8)}`) =>
    (await call(alpha.lead, 'POST', '/scheduler/schedules', { name, cron: '0 3 * * *', tasks: ['generate-tests'] }))
      .schedule;
  /** A job that fails its first attempt, then waits (or is dead when that was its last). */
  const failedJob = async (maxAttempts: number) => {
    const job = await api.queue.enqueue({ team: 'alpha', kind: 'conformance', name: 'c', maxAttempts });
    await waitFor(
      'the job’s first attempt',
      async () =>
        (await api.queue.get('alpha', job.id)).attempts >= 1 &&
        (await api.queue.get('alpha', job.id)).status !== 'running',
      10_000,
    );
    return job.id;
  };
  const delivery = async () => {
    const body = JSON.stringify({ hello: 'world' });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const answer = await fleet.request('POST', '/webhooks/in/conf', {
      body,
      headers: {
        'content-type': 'application/json',
        'x-fleet-timestamp': timestamp,
        'x-fleet-signature-256': fleetSignature(SECRET, timestamp, body),
        'x-fleet-delivery': randomUUID(),
      },
    });
    if (answer.status >= 300) throw new Error(`delivery refused: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body.id as string;
  };
  await runConformance(t, {
    fleet,
    plugin: 'scheduler',
    fixtures: {
      getStatus: async () => ({
        input: {},
        as: 'worker',
        otherTeam: 'own',
        skipAgreement: 'timestamp and uptime move',
      }),
      startScheduler: async () => ({ input: {}, otherTeam: 'own' }),
      stopScheduler: async () => ({ input: {}, otherTeam: 'own', skipValidCall: 'the other fixtures need it running' }),
      listSchedules: async (context) => {
        const made = await schedule(context);
        return { input: {}, as: 'worker', otherTeam: 'own', secrets: [made.id] };
      },
      createSchedule: async () => ({
        input: {
          name: `c-${randomUUID().slice(0, 8)}`,
          cron: '*/5 * * * *',
          action: { kind: 'task', subject: 'x {{slot}}' },
        },
        otherTeam: 'own',
      }),
      getSchedule: async (context) => ({ input: { id: (await schedule(context)).id }, as: 'worker' }),
      deleteSchedule: async (context) => ({ input: { id: (await schedule(context)).id } }),
      enableSchedule: async (context) => ({ input: { id: (await schedule(context)).id } }),
      disableSchedule: async (context) => ({ input: { id: (await schedule(context)).id } }),
      loadDefaults: async () => ({ input: {}, otherTeam: 'own' }),
      listRuns: async (context) => ({
        input: { schedule: (await schedule(context)).id, limit: 10 },
        as: 'worker',
        otherTeam: 'own',
      }),
      listQueue: async () => ({ input: { limit: 10 }, as: 'worker', otherTeam: 'own', skipAgreement: 'jobs move' }),
      addToQueue: async () => ({
        input: { name: 'generate-tests', priority: 'low', maxAttempts: 1 },
        otherTeam: 'own',
      }),
      deadLetters: async () => ({ input: { limit: 10 }, as: 'worker', otherTeam: 'own', skipAgreement: 'jobs move' }),
      getQueued: async () => ({ input: { id: await failedJob(5) }, as: 'worker', skipAgreement: 'jobs move' }),
      cancelQueued: async () => ({ input: { taskId: await failedJob(5) } }),
      replayDead: async () => ({ input: { id: await failedJob(1) } }),
      webhookStatus: async () => ({ input: {}, as: 'worker', otherTeam: 'own' }),
      webhookHistory: async () => {
        const id = await delivery();
        return { input: { limit: 5 }, as: 'worker', otherTeam: 'own', secrets: [id], skipAgreement: 'deliveries move' };
      },
      webhookDelivery: async () => ({
        input: { id: await delivery() },
        as: 'worker',
        skipAgreement: 'processing moves',
      }),
      replayWebhookDelivery: async () => ({ input: { id: await delivery() } }),
    },
  });
});

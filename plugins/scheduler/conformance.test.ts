import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { runConformance } from '../../test/kit/conformance.js';
import { startFleet, waitFor } from '../../test/kit/index.js';
import type { SchedulerApi } from './index.js';
import { fleetSignature } from './webhooks/index.js';

const SECRET = 'conformance-secret-0123456789';

const node = (script: string) => [process.execPath, '-e', script];

t.test('scheduler: every operation conforms (401, other teams, required fields, route and tool agree)', async (t) => {
  // A real receiver for the notification channels (the outbound sender allows 127.0.0.1 here only).
  const receiver = createServer((request, response) => {
    request.resume();
    request.on('end', () => response.writeHead(200).end('ok'));
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => receiver.close(() => resolve())));
  const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  const fleet = await startFleet(t, {
    plugins: {
      auth: true,
      mail: true,
      tasks: true,
      scheduler: {
        // Jobs of a kind nobody handles fail at once; a failed one waits long before its next attempt.
        queue: { backoffBaseMs: 3_600_000, backoffMaxMs: 3_600_000, pollMs: 50 },
        webhooks: { generic: { conf: { secret: SECRET, team: 'alpha', rules: [] } } },
        outbound: { allowHosts: ['127.0.0.1'] },
        // One passing and one failing check: a full loop waits for the task the failing one opens (stoppable).
        audit: {
          checks: [
            { name: 'ok', command: node('console.log("fine")'), timeoutSeconds: 30 },
            { name: 'bad', command: node('console.error("broken"); process.exit(2)'), timeoutSeconds: 30 },
          ],
          pollSeconds: 0.05,
        },
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
  const auditIdle = (context: any) =>
    waitFor(
      'no audit run of alpha',
      async () => !(await context.call(context.alpha.lead, 'GET', '/audit/status')).isRunning,
      30_000,
    );
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
      listTemplates: async () => ({ input: { category: 'testing' }, as: 'worker', otherTeam: 'own' }),
      getTemplate: async () => ({ input: { id: 'generate-tests' }, as: 'worker', otherTeam: 'own' }),
      createTemplate: async () => ({
        input: {
          id: `t-${randomUUID().slice(0, 8)}`,
          name: 'A conformance template',
          description: 'What it does',
          category: 'testing',
          role: 'tester',
          prompt: 'Test {{repository}}',
        },
        otherTeam: 'own',
      }),
      executeTemplate: async () => ({ input: { id: 'generate-tests', repository: 'org/repo' }, otherTeam: 'own' }),
      notificationSettings: async () => ({ input: {}, as: 'worker', otherTeam: 'own' }),
      configureNotifications: async () => ({
        input: { slack: { webhookUrl: `${receiverUrl}/slack` }, discord: { webhookUrl: `${receiverUrl}/discord` } },
        otherTeam: 'own',
        secrets: [receiverUrl],
      }),
      testNotifications: async () => ({ input: {}, otherTeam: 'own' }),
      enableNotifications: async () => ({ input: {}, otherTeam: 'own' }),
      disableNotifications: async () => ({ input: {}, otherTeam: 'own' }),
      auditStatus: async () => ({ input: {}, as: 'worker', otherTeam: 'own', skipAgreement: 'runs move' }),
      auditOutput: async () => ({
        input: { since: 0, limit: 10 },
        as: 'worker',
        otherTeam: 'own',
        skipAgreement: 'output grows',
      }),
      auditStart: async () => ({ input: { dryRun: true, maxIterations: 2 }, otherTeam: 'own' }),
      auditStop: async (context) => {
        await auditIdle(context);
        await context.call(context.alpha.lead, 'POST', '/audit/start', { maxIterations: 3 });
        return { input: {}, otherTeam: 'own' };
      },
      auditQuick: async (context) => {
        await auditIdle(context);
        return { input: {}, otherTeam: 'own' };
      },
      auditRuns: async () => ({ input: { limit: 5 }, as: 'worker', otherTeam: 'own' }),
      auditRun: async (context) => {
        await auditIdle(context);
        const { runId } = await context.call(context.alpha.lead, 'POST', '/audit/start', { dryRun: true });
        return { input: { id: runId }, as: 'worker' };
      },
      coordinationStatus: async () => ({ input: {}, as: 'worker', otherTeam: 'own' }),
      coordinationHealth: async () => ({ input: {}, otherTeam: 'own' }),
    },
  });
});

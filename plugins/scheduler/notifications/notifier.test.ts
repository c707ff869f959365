import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import type { Identity } from '../../../core/index.js';
import { migratedDatabase, type TestLike, waitFor } from '../../../test/kit/index.js';
import { fakeClock, systemClock } from '../clock.js';
import { queueMigration } from '../migrations/0002-queue.js';
import { templatesNotificationsMigration } from '../migrations/0003-templates-notifications.js';
import { OutboundSender } from '../outbound/index.js';
import { JobQueue } from '../queue/index.js';
import { memoryLogger, recordingEmit } from '../queue/test-support.js';
import { Notifier } from './notifier.js';

const lead = (teamName: string): Identity => ({
  uid: '0'.repeat(24),
  handle: `${teamName}-lead`,
  teamName,
  agentType: 'team-lead',
  role: 'coordinator',
});

async function receiver(t: TestLike, statuses: Record<string, number> = {}) {
  const received: { path: string; body: Record<string, unknown>; headers: Record<string, unknown> }[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      received.push({ path: req.url ?? '', body: JSON.parse(text) as Record<string, unknown>, headers: req.headers });
      res.statusCode = statuses[req.url ?? ''] ?? 200;
      res.end();
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  t.teardown(() => new Promise<void>((done) => server.close(() => done())));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

async function setup(t: TestLike, allowHosts: string[]) {
  const { db, dialect } = await migratedDatabase(t, [queueMigration, templatesNotificationsMigration]);
  const { emit, events } = recordingEmit();
  const clock = fakeClock(Date.UTC(2026, 10, 29, 23, 0));
  const log = memoryLogger();
  const queue = new JobQueue({ db, dialect, clock, log, emit, random: () => 0 });
  t.teardown(() => queue.stop());
  const sender = new OutboundSender({ options: { allowHosts }, clock: systemClock, log });
  const notifier = new Notifier({ db, clock, log, emit, queue: () => queue, sender: () => sender });
  notifier.register(queue);
  await queue.start();
  return { queue, notifier, events };
}

t.test('configure checks every URL (400 naming the field); test answers what each channel did', async (t) => {
  const target = await receiver(t, { '/discord': 500 });
  const { notifier } = await setup(t, ['127.0.0.1']);
  const empty = await notifier.test(lead('alpha'));
  t.same(empty.results, [], 'no channels: nothing sent, nothing claimed');
  for (const [field, url] of [
    ['slack.webhookUrl', 'http://169.254.169.254/latest'],
    ['teams.webhookUrl', 'http://localhost:9/'],
    ['discord.webhookUrl', 'file:///etc/passwd'],
  ] as const) {
    const channel = field.split('.')[0] as 'slack';
    await t.rejects(
      notifier.configure(lead('alpha'), { [channel]: { webhookUrl: url } }),
      { code: 'SCHEDULER_NOTIFY_BAD_URL', status: 400, message: new RegExp(`^${field.replace('.', '\\.')}: outbound`) },
      field,
    );
  }
  t.same(await notifier.settings('alpha'), { enabled: false, channels: [] }, 'nothing was stored');
  const settings = await notifier.configure(lead('alpha'), {
    slack: { webhookUrl: `${target.base}/slack`, channel: '#ops', username: 'fleet' },
    teams: { webhookUrl: `${target.base}/teams` },
    discord: { webhookUrl: `${target.base}/discord` },
  });
  t.same(settings, { enabled: true, channels: ['slack', 'teams', 'discord'] });
  const { results } = await notifier.test(lead('alpha'));
  t.same(results, [
    { channel: 'slack', outcome: 'delivered', status: 200 },
    { channel: 'teams', outcome: 'delivered', status: 200 },
    { channel: 'discord', outcome: 'failed', reason: 'HTTP 500' },
  ]);
  const byPath = Object.fromEntries(target.received.map((r) => [r.path, r.body]));
  t.match(byPath['/slack'], {
    text: /^Test Notification: /,
    channel: '#ops',
    username: 'fleet',
    blocks: [{ type: 'header' }, { type: 'section' }, { type: 'context' }],
    attachments: [{ color: '#439FE0' }],
  });
  t.match(byPath['/teams'], {
    '@type': 'MessageCard',
    '@context': 'https://schema.org/extensions',
    title: 'Test Notification',
  });
  t.match(byPath['/discord'], {
    embeds: [{ title: 'Test Notification', color: 0x439fe0 }],
    allowed_mentions: { parse: [] },
  });
  t.same(await notifier.settings('beta'), { enabled: false, channels: [] }, 'beta has none of it');
});

t.test('notices go through the queue while enabled (retried), not while disabled', async (t) => {
  const target = await receiver(t);
  const { queue, notifier } = await setup(t, ['127.0.0.1']);
  await notifier.configure(lead('alpha'), { discord: { webhookUrl: `${target.base}/discord` } });
  const notice = {
    type: 'run_failed',
    team: 'alpha',
    title: 'Schedule nightly: run failed',
    message: 'worker @everyone could not start',
    severity: 'error' as const,
    fields: { schedule: 'nightly' },
    at: '2026-11-29T23:00:00.000Z',
  };
  const [id] = await notifier.notify(notice);
  t.ok(id);
  await waitFor('delivered', async () => (await queue.get('alpha', id!)).status === 'delivered');
  const job = await queue.get('alpha', id!);
  t.match(job, { kind: 'notification', priority: 'high', trigger: 'alert', evidence: { status: 200 } });
  t.match(target.received[0]!.body, {
    embeds: [{ title: 'Schedule nightly: run failed', fields: [{ name: 'schedule' }] }],
  });
  await notifier.setEnabled(lead('alpha'), false);
  t.same(await notifier.notify(notice), [], 'disabled: nothing queued');
  await notifier.setEnabled(lead('alpha'), true);
  t.same(await notifier.notify({ ...notice, team: 'beta' }), [], 'beta has no channels');
});

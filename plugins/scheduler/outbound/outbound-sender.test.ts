import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { migratedDatabase, type TestLike, waitFor } from '../../../test/kit/index.js';
import { fakeClock, systemClock } from '../clock.js';
import { queueMigration } from '../migrations/0002-queue.js';
import { JobQueue } from '../queue/index.js';
import { memoryLogger, recordingEmit } from '../queue/test-support.js';
import { OutboundSender, type OutboundOptions } from './outbound-sender.js';
import { verifyFleetSignature } from './signature.js';

const SECRET = 'receiver-and-fleet-share-this';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  verified: boolean;
}

/** A real receiver on 127.0.0.1 that checks the signature the way a receiver would, with its own HMAC. */
async function receiver(t: TestLike, statuses: number[] = []) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const timestamp = String(req.headers['x-fleet-timestamp']);
      const expected = Buffer.from(
        'sha256=' + createHmac('sha256', SECRET).update(`${timestamp}.`).update(raw).digest('hex'),
      );
      const given = Buffer.from(String(req.headers['x-fleet-signature-256'] ?? ''));
      const verified = given.length === expected.length && timingSafeEqual(given, expected);
      received.push({ headers: req.headers, body: raw.toString(), verified });
      res.statusCode = statuses.shift() ?? 200;
      res.end('ok');
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  t.teardown(() => new Promise<void>((done) => server.close(() => done())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received };
}

async function queueWithSender(t: TestLike, options: OutboundOptions, jitter = 0) {
  const { db, dialect } = await migratedDatabase(t, [queueMigration]);
  const { events, emit } = recordingEmit();
  const clock = fakeClock(Date.now());
  const queue = new JobQueue({ db, dialect, clock, log: memoryLogger(), emit, random: () => jitter });
  t.teardown(() => queue.stop());
  const sender = new OutboundSender({ options, clock: systemClock, log: memoryLogger() });
  sender.register(queue);
  await queue.start();
  return { queue, sender, events, clock };
}

t.test('signed delivery to a local receiver (allowed by config), verified by the receiver', async (t) => {
  const target = await receiver(t);
  const { queue } = await queueWithSender(t, { secret: SECRET, allowHosts: ['127.0.0.1'] });
  const job = await queue.enqueue({
    team: 'alpha',
    kind: 'webhook',
    name: 'deploy-hook',
    payload: { url: target.url, body: { event: 'run_failed', schedule: 'nightly', text: 'ünïcode ✓' } },
  });
  const done = await waitFor('delivered', async () => {
    const now = await queue.get('alpha', job.id);
    return now.status === 'delivered' ? now : undefined;
  });
  t.equal(target.received.length, 1);
  const got = target.received[0]!;
  t.ok(got.verified, 'the receiver’s own HMAC check passes');
  t.ok(
    verifyFleetSignature({
      secret: SECRET,
      body: got.body,
      signature: got.headers['x-fleet-signature-256'] as string,
      timestamp: got.headers['x-fleet-timestamp'] as string,
    }),
    'and the documented verifier agrees',
  );
  t.notOk(
    verifyFleetSignature({
      secret: 'wrong',
      body: got.body,
      signature: got.headers['x-fleet-signature-256'] as string,
      timestamp: got.headers['x-fleet-timestamp'] as string,
    }),
    'a wrong secret does not verify',
  );
  t.notOk(
    verifyFleetSignature({
      secret: SECRET,
      body: got.body + ' ',
      signature: got.headers['x-fleet-signature-256'] as string,
      timestamp: got.headers['x-fleet-timestamp'] as string,
    }),
    'a changed body does not verify',
  );
  t.same(JSON.parse(got.body), { event: 'run_failed', schedule: 'nightly', text: 'ünïcode ✓' });
  t.equal(got.headers['x-fleet-delivery'], `fleet-job-${job.id}`);
  t.equal(got.headers['content-type'], 'application/json');
  t.match(done.evidence, { status: 200, deliveryId: `fleet-job-${job.id}` }, 'the status is the evidence');
});

t.test('a non-2xx answer fails and is retried with the same delivery id; then delivered', async (t) => {
  const target = await receiver(t, [500, 302]);
  const { queue, clock } = await queueWithSender(t, { secret: SECRET, allowHosts: ['127.0.0.1'] }, 0.5);
  const job = await queue.enqueue({ team: 'alpha', kind: 'webhook', name: 'flaky', payload: { url: target.url } });
  await waitFor('first try', () => target.received.length === 1);
  const afterFirst = await waitFor('queued again', async () => {
    const now = await queue.get('alpha', job.id);
    return now.status === 'queued' ? now : undefined;
  });
  t.equal(afterFirst.error, 'HTTP 500');
  clock.advance(60_000);
  await waitFor('second try', () => target.received.length === 2);
  const afterSecond = await waitFor('queued again', async () => {
    const now = await queue.get('alpha', job.id);
    return now.status === 'queued' && now.attempts === 2 ? now : undefined;
  });
  t.equal(afterSecond.error, 'HTTP 302: redirects are not followed');
  clock.advance(60_000);
  await waitFor('delivered', async () => (await queue.get('alpha', job.id)).status === 'delivered');
  t.same(new Set(target.received.map((r) => r.headers['x-fleet-delivery'])).size, 1, 'one delivery id');
});

t.test('SSRF: internal targets are refused (not retried, nothing sent)', async (t) => {
  const target = await receiver(t);
  const port = new URL(target.url).port;
  const { queue } = await queueWithSender(t, { secret: SECRET });
  const urls = [
    target.url,
    `http://localhost:${port}/hook`,
    `http://[::1]:${port}/`,
    `http://[::ffff:127.0.0.1]:${port}/`,
    'http://169.254.169.254/latest/meta-data/',
    'http://10.0.0.1/',
    'file:///etc/passwd',
    'ftp://example.com/',
  ];
  const jobs = [];
  for (const url of urls)
    jobs.push(await queue.enqueue({ team: 'alpha', kind: 'webhook', name: 'x', payload: { url } }));
  await waitFor('all settled', async () => (await queue.list('alpha', ['queued', 'running'])).length === 0);
  for (const [i, job] of jobs.entries()) {
    const now = await queue.get('alpha', job.id);
    t.match(now, { status: 'refused', attempts: 1 }, String(urls[i]));
    t.match(now.error, /outbound URL refused/);
  }
  t.equal(target.received.length, 0, 'nothing reached the receiver');
});

t.test('no secret: a webhook is refused (receivers could not verify it)', async (t) => {
  const target = await receiver(t);
  const { queue } = await queueWithSender(t, { allowPrivateNetworks: true });
  const job = await queue.enqueue({ team: 'alpha', kind: 'webhook', name: 'x', payload: { url: target.url } });
  await waitFor('settled', async () => (await queue.get('alpha', job.id)).status === 'refused');
  t.match((await queue.get('alpha', job.id)).error, /no signing secret/);
  t.equal(target.received.length, 0);
});

t.test('a receiver that does not answer: failed after the timeout', async (t) => {
  const server = createServer(() => undefined);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  t.teardown(() => {
    server.closeAllConnections();
    return new Promise<void>((done) => server.close(() => done()));
  });
  const sender = new OutboundSender({
    options: { secret: SECRET, allowHosts: ['127.0.0.1'], timeoutMs: 200 },
    clock: systemClock,
    log: memoryLogger(),
  });
  const result = await sender.send({
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    body: {},
    deliveryId: 'd1',
    requireSignature: true,
  });
  t.same(result, { outcome: 'failed', reason: 'no answer within 200 ms' });
});

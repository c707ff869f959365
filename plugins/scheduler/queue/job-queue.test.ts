import { spawn } from 'node:child_process';
import { join } from 'node:path';
import t from 'tap';
import {
  type AnyDb,
  type DatabasePlace,
  migratedDatabase,
  REPO_ROOT,
  type TestLike,
  waitFor,
} from '../../../test/kit/index.js';
import { fakeClock } from '../clock.js';
import { queueMigration } from '../migrations/0002-queue.js';
import { type JobQueueDeps, JobQueue, type JobResult } from './job-queue.js';
import type { Job } from './job.js';
import { memoryLogger, recordingEmit } from './test-support.js';

const T0 = Date.UTC(2026, 10, 29, 12, 0, 0);

function makeQueue(
  t: TestLike,
  db: AnyDb,
  place: DatabasePlace,
  extra: Partial<JobQueueDeps> = {},
): { queue: JobQueue; events: ReturnType<typeof recordingEmit>['events'] } {
  const { events, emit } = recordingEmit();
  const queue = new JobQueue({
    db,
    dialect: place.dialect,
    clock: fakeClock(T0),
    log: memoryLogger(),
    emit,
    options: { pollMs: 20 },
    ...extra,
  });
  t.teardown(() => queue.stop());
  return { queue, events };
}

const delivered = (job: Job): JobResult => ({ outcome: 'delivered', evidence: { ran: job.id } });

t.test(
  'priority order critical > high > normal > low, FIFO within one; one at a time with concurrency 1',
  async (t) => {
    const { db, place } = await migratedDatabase(t, [queueMigration]);
    const { queue } = makeQueue(t, db, place, { options: { concurrency: 1, pollMs: 20 } });
    const order: string[] = [];
    queue.registerHandler('template', async (job) => {
      order.push(job.name);
      return delivered(job);
    });
    for (const [name, priority] of [
      ['low-1', 'low'],
      ['normal-1', 'normal'],
      ['critical-1', 'critical'],
      ['high-1', 'high'],
      ['normal-2', 'normal'],
      ['critical-2', 'critical'],
    ] as const)
      await queue.enqueue({ team: 'alpha', kind: 'template', name, priority });
    await queue.start();
    await waitFor('all six ran', () => order.length === 6);
    t.same(order, ['critical-1', 'critical-2', 'high-1', 'normal-1', 'normal-2', 'low-1']);
    const counts = await queue.counts('alpha');
    t.equal(counts.delivered, 6);
    const job = (await queue.list('alpha', ['delivered'], 1))[0]!;
    t.same(job.evidence, { ran: job.id }, 'evidence kept');
  },
);

t.test('at most `concurrency` jobs run at once', async (t) => {
  const { db, place } = await migratedDatabase(t, [queueMigration]);
  const { queue } = makeQueue(t, db, place, { options: { concurrency: 3, pollMs: 20 } });
  let now = 0;
  let most = 0;
  const release: (() => void)[] = [];
  queue.registerHandler('template', async (job) => {
    most = Math.max(most, ++now);
    await new Promise<void>((done) => release.push(done));
    now--;
    return delivered(job);
  });
  for (let i = 0; i < 8; i++) await queue.enqueue({ team: 'alpha', kind: 'template', name: `job-${i}` });
  await queue.start();
  await waitFor('three running', () => release.length === 3);
  t.equal((await queue.counts('alpha')).running, 3);
  while ((await queue.counts('alpha')).delivered < 8) {
    release.shift()?.();
    await new Promise((done) => setTimeout(done, 5));
  }
  t.equal(most, 3, 'never more than three');
});

t.test('a failure is retried with exponential backoff and full jitter, then delivered', async (t) => {
  const { db, place } = await migratedDatabase(t, [queueMigration]);
  const clock = fakeClock(T0);
  const { queue, events } = makeQueue(t, db, place, {
    clock,
    random: () => 0.5,
    options: { backoffBaseMs: 1_000, backoffMaxMs: 60_000, maxAttempts: 3, pollMs: 20 },
  });
  let calls = 0;
  queue.registerHandler('webhook', async (job) => {
    calls++;
    return calls < 3 ? { outcome: 'failed', reason: `HTTP 503 (try ${calls})` } : delivered(job);
  });
  const job = await queue.enqueue({ team: 'alpha', kind: 'webhook', name: 'hook' });
  await queue.start();
  await waitFor('first failure', async () => (await queue.get('alpha', job.id)).attempts === 1 && calls === 1);
  let seen = await waitFor('queued for retry', async () => {
    const now = await queue.get('alpha', job.id);
    return now.status === 'queued' ? now : undefined;
  });
  t.equal(seen.nextAttemptAt, T0 + 500, 'first backoff: half (jitter 0.5) of 1 s');
  t.equal(seen.error, 'HTTP 503 (try 1)');
  clock.advance(499);
  await new Promise((done) => setTimeout(done, 100));
  t.equal(calls, 1, 'not before its time');
  clock.advance(1);
  seen = await waitFor('second failure', async () => {
    const now = await queue.get('alpha', job.id);
    return now.status === 'queued' && now.attempts === 2 ? now : undefined;
  });
  t.equal(seen.nextAttemptAt, T0 + 500 + 1_000, 'second backoff: half of 2 s');
  clock.advance(1_000);
  const done = await waitFor('delivered', async () => {
    const now = await queue.get('alpha', job.id);
    return now.status === 'delivered' ? now : undefined;
  });
  t.equal(done.attempts, 3);
  const retries = events.filter((event) => event.type === 'job_retry');
  t.equal(retries.length, 2);
  t.same(
    events.filter((e) => e.team === 'alpha').map((e) => e.type),
    ['job_queued', 'job_started', 'job_retry', 'job_started', 'job_retry', 'job_started', 'job_settled'],
  );
});

t.test('out of attempts: dead-lettered with its last error; replay gives fresh attempts', async (t) => {
  const { db, place } = await migratedDatabase(t, [queueMigration]);
  const clock = fakeClock(T0);
  const { queue, events } = makeQueue(t, db, place, { clock, random: () => 0, options: { pollMs: 20 } });
  let fail = true;
  const settled: Job[] = [];
  queue.onSettled((job) => settled.push(job));
  queue.registerHandler('template', async (job) =>
    fail ? { outcome: 'failed', reason: 'worker could not start' } : delivered(job),
  );
  const job = await queue.enqueue({ team: 'alpha', kind: 'template', name: 'doomed', maxAttempts: 2 });
  await queue.start();
  const dead = await waitFor('dead', async () => {
    const now = await queue.get('alpha', job.id);
    return now.status === 'dead' ? now : undefined;
  });
  t.equal(dead.attempts, 2);
  t.equal(dead.error, 'worker could not start');
  t.same(
    (await queue.list('alpha', ['dead'])).map((j) => j.id),
    [job.id],
  );
  t.same(
    settled.map((j) => [j.id, j.status]),
    [[job.id, 'dead']],
    'onSettled told',
  );
  t.ok(events.some((e) => e.type === 'job_dead'));
  fail = false;
  await t.rejects(queue.replay('beta', job.id, 'lead'), { code: 'SCHEDULER_QUEUE_NOT_FOUND' }, 'other team: 404');
  const replayed = await queue.replay('alpha', job.id, 'lead');
  t.equal(replayed.status, 'queued');
  t.equal(replayed.attempts, 0);
  await waitFor('delivered after replay', async () => (await queue.get('alpha', job.id)).status === 'delivered');
  await t.rejects(queue.replay('alpha', job.id, 'lead'), { code: 'SCHEDULER_QUEUE_NOT_DEAD' });
});

t.test('refused and not-retryable results; delivered without evidence is not delivered', async (t) => {
  const { db, place } = await migratedDatabase(t, [queueMigration]);
  const { queue } = makeQueue(t, db, place, { random: () => 0 });
  queue.registerHandler('template', async (job) => {
    if (job.name === 'refuse') return { outcome: 'refused', reason: 'URL refused: loopback' };
    if (job.name === 'fatal') return { outcome: 'failed', reason: 'bad template', retry: false };
    if (job.name === 'throws') throw new Error('boom');
    return { outcome: 'delivered', evidence: {} };
  });
  const refuse = await queue.enqueue({ team: 'alpha', kind: 'template', name: 'refuse' });
  const fatal = await queue.enqueue({ team: 'alpha', kind: 'template', name: 'fatal' });
  const empty = await queue.enqueue({ team: 'alpha', kind: 'template', name: 'empty', maxAttempts: 1 });
  const throws = await queue.enqueue({ team: 'alpha', kind: 'template', name: 'throws', maxAttempts: 1 });
  await queue.start();
  await waitFor('all settled', async () => (await queue.list('alpha', ['queued', 'running'])).length === 0);
  const get = (id: number) => queue.get('alpha', id);
  t.match(await get(refuse.id), { status: 'refused', attempts: 1, error: 'URL refused: loopback' });
  t.match(await get(fatal.id), { status: 'dead', attempts: 1, error: 'bad template' });
  t.match(await get(empty.id), { status: 'dead', error: 'the handler reported delivered without evidence' });
  t.match(await get(throws.id), { status: 'dead', error: 'boom' });
});

t.test("cancel: a queued job (leads' route checks the role); running 409; other team 404", async (t) => {
  const { db, place } = await migratedDatabase(t, [queueMigration]);
  const { queue } = makeQueue(t, db, place);
  const releases: (() => void)[] = [];
  queue.registerHandler('template', async (job) => {
    await new Promise<void>((done) => releases.push(done));
    return delivered(job);
  });
  const first = await queue.enqueue({ team: 'alpha', kind: 'template', name: 'first' });
  const second = await queue.enqueue({ team: 'alpha', kind: 'template', name: 'second' });
  await queue.start();
  await waitFor('first running', async () => (await queue.get('alpha', first.id)).status === 'running');
  await t.rejects(queue.cancel('alpha', first.id, 'lead'), { code: 'SCHEDULER_QUEUE_RUNNING', status: 409 });
  await t.rejects(queue.cancel('beta', second.id, 'lead'), { code: 'SCHEDULER_QUEUE_NOT_FOUND', status: 404 });
  // Concurrency 3: the second may already run; queue a third behind a job of no handler's kind.
  const third = await queue.enqueue({ team: 'alpha', kind: 'nobody-runs-this', name: 'third' });
  const cancelled = await queue.cancel('alpha', third.id, 'lead');
  t.equal(cancelled.status, 'cancelled');
  await t.rejects(queue.cancel('alpha', third.id, 'lead'), { code: 'SCHEDULER_QUEUE_FINISHED' });
  for (const release of releases) release();
  await queue.idle();
  t.same((await queue.list('beta', ['queued', 'running', 'dead', 'delivered'])).length, 0, 'beta sees nothing');
});

t.test('several queues on one database: every job runs exactly once', async (t) => {
  const { db, place, openAgain } = await migratedDatabase(t, [queueMigration]);
  const runs = new Map<number, number>();
  const queues: JobQueue[] = [];
  for (let i = 0; i < 4; i++) {
    const pool = i === 0 ? db : await openAgain();
    const { queue } = makeQueue(t, pool, place, { options: { concurrency: 3, pollMs: 5 } });
    queue.registerHandler('template', async (job) => {
      runs.set(job.id, (runs.get(job.id) ?? 0) + 1);
      await new Promise((done) => setTimeout(done, Math.random() * 3));
      return delivered(job);
    });
    queues.push(queue);
  }
  const total = 200;
  for (let i = 0; i < total; i++) await queues[0]!.enqueue({ team: 'alpha', kind: 'template', name: `n-${i}` });
  await Promise.all(queues.map((queue) => queue.start()));
  await waitFor('all delivered', async () => (await queues[0]!.counts('alpha')).delivered === total, 60_000);
  t.equal(runs.size, total, 'every job ran');
  t.same(
    [...runs.values()].filter((n) => n !== 1),
    [],
    'none ran twice',
  );
});

t.test('a job running when its server was killed is taken back at the next start, the attempt counted', async (t) => {
  const { db, place } = await migratedDatabase(t, [queueMigration]);
  const seed = makeQueue(t, db, place).queue;
  const job = await seed.enqueue({ team: 'alpha', kind: 'template', name: 'interrupted', maxAttempts: 2 });
  const doomed = await seed.enqueue({ team: 'alpha', kind: 'template', name: 'last-try', maxAttempts: 1 });
  const argument = place.dialect === 'postgres' ? place.url : `sqlite:${place.file}`;
  const script = join(import.meta.dirname, 'test-claim-and-hang.ts');
  const child = spawn(process.execPath, ['--import=tsx', script, argument], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  t.teardown(() => void child.kill('SIGKILL'));
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  await waitFor(
    'the child claimed both',
    () => out.includes(`claimed ${job.id}`) && out.includes(`claimed ${doomed.id}`),
    30_000,
  );
  child.kill('SIGKILL');
  await new Promise((done) => child.once('exit', done));
  t.match(await seed.get('alpha', job.id), { status: 'running', attempts: 1 }, 'left running by the dead server');
  t.match(await seed.get('alpha', doomed.id), { status: 'running', attempts: 1 });
  // The restart: a new queue (a new lease owner). On PostgreSQL other nodes may be alive, so only leases
  // that ran out are taken back: its clock is past them.
  const clock = fakeClock(Date.now() + 120_000);
  const { queue, events } = makeQueue(t, db, place, { clock, random: () => 0 });
  const ran: number[] = [];
  queue.registerHandler('template', async (j) => {
    ran.push(j.id);
    return delivered(j);
  });
  await queue.start();
  await waitFor('recovered and delivered', async () => (await queue.get('alpha', job.id)).status === 'delivered');
  const after = await queue.get('alpha', job.id);
  t.equal(after.attempts, 2, 'the interrupted attempt counted');
  const last = await queue.get('alpha', doomed.id);
  t.match(last, { status: 'dead', attempts: 1 }, 'its only attempt was interrupted: dead-lettered');
  t.match(last.error, /interrupted/);
  t.same(ran, [job.id], 'the dead one did not run again');
  t.ok(events.some((e) => e.type === 'job_dead' && e.data.id === doomed.id));
});

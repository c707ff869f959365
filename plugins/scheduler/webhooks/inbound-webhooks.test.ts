/**
 * Inbound webhooks against a real database (SQLite, or PostgreSQL with FLEET_TEST_STORAGE=postgres):
 * GitHub signatures (good, missing, garbage, wrong length, wrong secret), no secret configured, the
 * body limit, a redelivery, the record made before processing (kept when processing fails), the
 * seed's event mapping, recovery at start, the generic signed sender with its timestamp window,
 * replay, and team isolation. The dispatcher is the contract's seam (`dispatch`), recorded here:
 * the scheduler's own dispatcher runs in the plugin's HTTP suite.
 */
import t, { type Test } from 'tap';
import { migratedDatabase, type TestLike, testLogger } from '../../../test/kit/index.js';

type Tap = Test;
import { webhooksMigration } from '../migrations/0004-webhooks.js';
import { InboundWebhooks } from './inbound-webhooks.js';
import type { WebhookOptions } from './options.js';
import type { Dispatch, RawRequest } from './ports.js';
import { fleetSignature, githubSignature } from './signature.js';

const SECRET = 'a-github-secret-of-some-length';
const OTHER = 'the-other-fleets-shared-secret';

interface Setup {
  options?: Partial<WebhookOptions>;
  env?: Record<string, string>;
  dispatch?: Dispatch | null;
  now?: () => number;
}

async function setup(t: TestLike, setupOptions: Setup = {}) {
  const { db } = await migratedDatabase(t, [webhooksMigration]);
  const calls: { team: string; action: unknown; origin: unknown }[] = [];
  const events: { type: string; team: string; data: unknown }[] = [];
  const recording: Dispatch = async (team, action, origin) => {
    calls.push({ team, action, origin });
    return { outcome: 'queued', evidence: { jobId: calls.length } };
  };
  const dispatch = setupOptions.dispatch === null ? undefined : (setupOptions.dispatch ?? recording);
  const options: WebhookOptions = {
    team: 'alpha',
    maxBodyBytes: 4096,
    answerWithinMs: 5000,
    processingLeaseSeconds: 300,
    github: { secret: SECRET },
    generic: { ci: { secret: OTHER, rules: [{ event: 'build', actions: [{ kind: 'task', subject: 'Look at it' }] }] } },
    ...setupOptions.options,
  } as WebhookOptions;
  const webhooks = new InboundWebhooks({
    db,
    clock: { now: setupOptions.now ?? Date.now },
    log: testLogger(),
    emit: ((type: string, team: string, data: unknown) => {
      events.push({ type, team, data });
      return { seq: events.length, topic: '', type, team, data, ts: Date.now() };
    }) as never,
    options: () => options,
    dispatch: () => dispatch,
    env: setupOptions.env ?? {},
  });
  t.teardown(() => webhooks.drain());
  return { db, webhooks, calls, events, options };
}

let deliveries = 0;
function github(event: string, payload: unknown, extra: Record<string, string> = {}): RawRequest {
  const rawBody = Buffer.from(JSON.stringify(payload));
  return {
    rawBody,
    headers: {
      'content-type': 'application/json',
      'x-github-event': event,
      'x-github-delivery': `d-${process.pid}-${++deliveries}`,
      'x-hub-signature-256': githubSignature(SECRET, rawBody),
      ...extra,
    },
  };
}

const pr = (action: string, labels: string[] = []) => ({
  action,
  number: 7,
  pull_request: { number: 7, head: { ref: 'feature' }, labels: labels.map((name) => ({ name })) },
  repository: { full_name: 'acme/app', default_branch: 'main' },
});

async function refused(t: Tap, promise: Promise<unknown>, status: number, code: string) {
  const error = (await promise.then(
    () => undefined,
    (e: unknown) => e,
  )) as { status?: number; code?: string } | undefined;
  t.equal(error?.status, status, `${code}: status ${status}`);
  t.equal(error?.code, code);
}

const count = async (db: Awaited<ReturnType<typeof setup>>['db']) =>
  Number(
    (
      await db
        .selectFrom('webhook_deliveries')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirst()
    )?.n,
  );

t.test('a signed pull_request runs the seed’s rules; the answer has the seed’s shape', async (t) => {
  const { webhooks, calls, events } = await setup(t);
  const request = github('pull_request', pr('opened'));
  const answer = await webhooks.receiveGithub(request);
  t.equal(answer.status, 200);
  t.match(answer.body, {
    received: true,
    event: 'pull_request',
    action: 'opened',
    deliveryId: request.headers['x-github-delivery'],
    tasksQueued: 4,
    tasks: ['generate-pr-tests', 'security-scan', 'code-review', 'check-dependencies'],
  });
  t.equal(calls.length, 4);
  t.same(calls[0]!.action, {
    kind: 'template',
    template: 'generate-pr-tests',
    context: { repository: 'acme/app', branch: 'feature', prNumber: 7 },
  });
  t.match(calls[0]!.origin, { kind: 'webhook', id: answer.body.id });
  t.same(
    events.map((e) => e.type),
    ['webhook_received', 'webhook_processed'],
  );
  t.ok(
    events.every((e) => e.team === 'alpha'),
    'events go to the configured team',
  );
  t.notOk(JSON.stringify(events).includes('acme/app'), 'events carry no payload');
});

t.test('signatures: missing, garbage, wrong length, wrong secret, other body: 401, nothing stored', async (t) => {
  const { db, webhooks, calls } = await setup(t);
  const good = github('push', { ref: 'refs/heads/main' });
  const variants: [string, string | undefined, string][] = [
    ['missing', undefined, 'SCHEDULER_WEBHOOK_UNSIGNED'],
    ['empty', '', 'SCHEDULER_WEBHOOK_UNSIGNED'],
    ['garbage', 'not a signature at all', 'SCHEDULER_WEBHOOK_BAD_SIGNATURE'],
    ['short', 'sha256=abcd', 'SCHEDULER_WEBHOOK_BAD_SIGNATURE'],
    ['long', `sha256=${'a'.repeat(128)}`, 'SCHEDULER_WEBHOOK_BAD_SIGNATURE'],
    ['sha1', `sha1=${'a'.repeat(40)}`, 'SCHEDULER_WEBHOOK_BAD_SIGNATURE'],
    ['non-hex', `sha256=${'z'.repeat(64)}`, 'SCHEDULER_WEBHOOK_BAD_SIGNATURE'],
    ['wrong secret', githubSignature('another-secret-entirely', good.rawBody), 'SCHEDULER_WEBHOOK_BAD_SIGNATURE'],
    ['other body', githubSignature(SECRET, '{"ref":"refs/heads/evil"}'), 'SCHEDULER_WEBHOOK_BAD_SIGNATURE'],
  ];
  for (const [what, signature, code] of variants) {
    const headers = { ...good.headers };
    if (signature === undefined) delete headers['x-hub-signature-256'];
    else headers['x-hub-signature-256'] = signature;
    await t.test(what, (t) => refused(t, webhooks.receiveGithub({ ...good, headers }), 401, code));
  }
  t.equal(await count(db), 0, 'no refused delivery was stored');
  t.equal(calls.length, 0);
  const ok = await webhooks.receiveGithub(good);
  t.equal(ok.status, 200, 'the same delivery, signed right, is taken');
});

t.test('no secret configured: every delivery refused with 503; the env secret counts', async (t) => {
  const none = await setup(t, { options: { github: {} } });
  await refused(t, none.webhooks.receiveGithub(github('push', {})), 503, 'SCHEDULER_WEBHOOK_NOT_CONFIGURED');
  t.match(none.webhooks.status('alpha'), { configured: false, secretSource: null, endpoint: '/webhooks/github' });
  t.equal(await count(none.db), 0);

  const noTeam = await setup(t, { options: { team: undefined } });
  await refused(t, noTeam.webhooks.receiveGithub(github('push', {})), 503, 'SCHEDULER_WEBHOOK_NOT_CONFIGURED');

  const env = await setup(t, { options: { github: {} }, env: { GITHUB_WEBHOOK_SECRET: SECRET } });
  t.equal((await env.webhooks.receiveGithub(github('ping', { zen: 'hi' }))).status, 200);
  t.match(env.webhooks.status('alpha'), { configured: true, secretSource: 'env', forThisTeam: true });
});

t.test('ping answers pong; a redelivery is recognized and not run twice', async (t) => {
  const { webhooks, calls, db } = await setup(t);
  const ping = github('ping', { zen: 'Keep it logically awesome.' });
  const pong = await webhooks.receiveGithub(ping);
  t.same(Object.keys(pong.body).sort(), ['deliveryId', 'id', 'message']);
  t.match(pong.body, { message: 'pong', deliveryId: ping.headers['x-github-delivery'] });
  t.match((await webhooks.receiveGithub(ping)).body, { message: 'pong', duplicate: true });

  const request = github('pull_request', pr('closed'));
  const first = await webhooks.receiveGithub(request);
  t.match(first.body, { tasksQueued: 1, tasks: ['cleanup-pr-resources'] });
  const again = await webhooks.receiveGithub(request);
  t.equal(again.status, 200);
  t.match(again.body, { duplicate: true, id: first.body.id, status: 'processed', tasks: ['cleanup-pr-resources'] });
  t.equal(calls.length, 1, 'dispatched once');
  const both = await Promise.all([webhooks.receiveGithub(request), webhooks.receiveGithub(request)]);
  t.ok(
    both.every((a) => a.body.duplicate === true),
    'concurrent redeliveries too',
  );
  t.equal(calls.length, 1);
  t.equal(await count(db), 2, 'one row per delivery id');
});

t.test('bad headers and bodies: 400 naming the field, 413 over the limit', async (t) => {
  const { webhooks, db } = await setup(t);
  const noEvent = github('push', {});
  delete noEvent.headers['x-github-event'];
  await refused(t, webhooks.receiveGithub(noEvent), 400, 'SCHEDULER_WEBHOOK_BAD_HEADER');
  const noId = github('push', {});
  delete noId.headers['x-github-delivery'];
  const error = (await webhooks.receiveGithub(noId).catch((e: unknown) => e)) as { message: string };
  t.match(error.message, /^x-github-delivery: is required/);
  const badId = github('push', {}, { 'x-github-delivery': 'a b; drop' });
  await refused(t, webhooks.receiveGithub(badId), 400, 'SCHEDULER_WEBHOOK_BAD_HEADER');
  const text = Buffer.from('not json');
  const notJson = { rawBody: text, headers: { ...github('push', {}).headers } };
  notJson.headers['x-hub-signature-256'] = githubSignature(SECRET, text);
  await refused(t, webhooks.receiveGithub(notJson), 400, 'SCHEDULER_WEBHOOK_BAD_BODY');
  const big = github('push', { filler: 'x'.repeat(5000) });
  await refused(t, webhooks.receiveGithub(big), 413, 'SCHEDULER_WEBHOOK_TOO_LARGE');
  const unsignedBig = { ...big, headers: { ...big.headers, 'x-hub-signature-256': '' } };
  await refused(t, webhooks.receiveGithub(unsignedBig), 413, 'SCHEDULER_WEBHOOK_TOO_LARGE');
  t.equal(await count(db), 0);

  // GitHub's form encoding: the JSON is the `payload` field.
  const form = Buffer.from(`payload=${encodeURIComponent(JSON.stringify(pr('closed')))}`);
  const formRequest = github('pull_request', {}, { 'content-type': 'application/x-www-form-urlencoded' });
  formRequest.rawBody = form;
  formRequest.headers['x-hub-signature-256'] = githubSignature(SECRET, form);
  t.match((await webhooks.receiveGithub(formRequest)).body, { action: 'closed', tasks: ['cleanup-pr-resources'] });
});

t.test('stored before the answer: a delivery whose processing fails is recorded, and answered 2xx', async (t) => {
  const { webhooks, db } = await setup(t, {
    dispatch: async () => {
      throw new Error('dispatcher exploded');
    },
  });
  const answer = await webhooks.receiveGithub(github('pull_request', pr('closed')));
  t.equal(answer.status, 200);
  t.match(answer.body, { tasksQueued: 0, outcomes: [{ outcome: 'failed', reason: 'dispatcher exploded' }] });
  const row = await db.selectFrom('webhook_deliveries').selectAll().executeTakeFirstOrThrow();
  t.equal(row.status, 'processed');
  t.match(JSON.parse(row.outcomes), [{ action: 'cleanup-pr-resources', outcome: 'failed' }]);

  // Rules that cannot even be evaluated (a broken config): the delivery is kept, marked failed.
  const broken = await setup(t, {
    options: { github: { secret: SECRET, rules: [{ event: 'pull_request', labels: 5, actions: [] }] as never } },
  });
  const brokenAnswer = await broken.webhooks.receiveGithub(github('pull_request', pr('closed')));
  t.equal(brokenAnswer.status, 200);
  t.match(brokenAnswer.body, { status: 'failed', tasksQueued: 0 });
  t.equal(await count(broken.db), 1);

  // No dispatcher (the scheduler stopped): refused, with the reason.
  const idle = await setup(t, { dispatch: null });
  const idleAnswer = await idle.webhooks.receiveGithub(github('pull_request', pr('closed')));
  t.match(idleAnswer.body, { tasksQueued: 0, outcomes: [{ outcome: 'refused', reason: /not running/ }] });
});

t.test('slow processing: stored, answered 202, finished afterwards', async (t) => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const { webhooks, db } = await setup(t, {
    options: { answerWithinMs: 50 },
    dispatch: async () => {
      await gate;
      return { outcome: 'queued' };
    },
  });
  const answer = await webhooks.receiveGithub(github('pull_request', pr('closed')));
  t.equal(answer.status, 202);
  t.match(answer.body, { received: true, processing: true });
  const stored = await db.selectFrom('webhook_deliveries').selectAll().executeTakeFirstOrThrow();
  t.equal(stored.status, 'processing', 'recorded before the answer');
  release();
  await webhooks.drain();
  const done = await db.selectFrom('webhook_deliveries').selectAll().executeTakeFirstOrThrow();
  t.equal(done.status, 'processed');
});

t.test('recovery at start: stored but unprocessed deliveries run once; stale claims are taken over', async (t) => {
  const { webhooks, db, calls } = await setup(t);
  const now = Date.now();
  const row = (id: string, status: string, claimedAt: number | null) => ({
    id,
    team_name: 'alpha',
    source: 'github',
    name: 'github',
    delivery_id: `rec-${id}`,
    event: 'pull_request',
    action: 'closed',
    repository: 'acme/app',
    payload: JSON.stringify(pr('closed')),
    payload_sha256: '0'.repeat(64),
    status,
    received_at: now,
    claimed_at: claimedAt,
    processed_at: null,
    outcomes: null,
    error: null,
  });
  await db
    .insertInto('webhook_deliveries')
    .values([
      row('00000000-0000-4000-8000-000000000001', 'received', null),
      row('00000000-0000-4000-8000-000000000002', 'processing', now - 3_600_000),
      row('00000000-0000-4000-8000-000000000003', 'processing', now),
      row('00000000-0000-4000-8000-000000000004', 'processed', now),
    ])
    .execute();
  t.equal(await webhooks.recover(), 2, 'the unprocessed one and the one whose server died');
  t.equal(calls.length, 2);
  t.equal(await webhooks.recover(), 0, 'never twice');
  const kinds = await db.selectFrom('webhook_processings').select(['delivery', 'kind']).orderBy('delivery').execute();
  t.same(
    kinds.map((k) => k.kind),
    ['recovery', 'recovery'],
  );
});

t.test('the seed’s mapping: push, labels, check runs, advisories, unknown events', async (t) => {
  const { webhooks } = await setup(t);
  const tasksOf = async (event: string, payload: unknown) =>
    (await webhooks.receiveGithub(github(event, payload))).body.tasks;
  const repo = { full_name: 'acme/app', default_branch: 'main' };
  const commits = [{ added: ['src/a.ts'], modified: ['test/a.test.ts'] }];
  t.same(await tasksOf('push', { ref: 'refs/heads/main', repository: repo, commits }), [
    'update-documentation',
    'run-linter-check',
    'analyze-code-quality',
    'validate-test-coverage',
  ]);
  t.same(await tasksOf('push', { ref: 'refs/heads/feature', repository: repo, commits }), [], 'other branches: none');
  t.same(await tasksOf('pull_request', pr('labeled', ['needs-tests'])), ['generate-tests']);
  t.same(
    await tasksOf('issues', { action: 'opened', issue: { number: 3, labels: [{ name: 'bug' }] }, repository: repo }),
    ['investigate-bug'],
  );
  const check = (name: string, conclusion: string) => ({
    action: 'completed',
    check_run: { name, conclusion, head_branch: 'main' },
    repository: repo,
  });
  t.same(await tasksOf('check_run', check('TypeScript build', 'failure')), [
    'fix-type-errors',
    'investigate-build-failure',
  ]);
  t.same(await tasksOf('check_run', check('lint', 'success')), []);
  t.same(
    await tasksOf('dependabot_alert', {
      action: 'created',
      alert: { security_advisory: { severity: 'critical' } },
      repository: repo,
    }),
    ['security-vulnerability-scan', 'urgent-security-fix'],
  );
  t.same(await tasksOf('security_advisory', { action: 'reopened', security_advisory: { severity: 'low' } }), [
    'security-vulnerability-scan',
    'scheduled-security-fix',
  ]);
  t.same(await tasksOf('issue_comment', { action: 'created' }), [], 'no default rule; still 200');
  t.same(await tasksOf('star', { action: 'created' }), []);
});

t.test('configured rules replace the defaults: action, branch, labels, check name', async (t) => {
  const { webhooks, calls } = await setup(t, {
    options: {
      github: {
        secret: SECRET,
        rules: [
          {
            event: 'issue_comment',
            action: ['created'],
            labels: ['triage'],
            actions: [{ kind: 'task', subject: 'Answer the comment' }],
          },
          { event: 'push', branch: ['release'], actions: [{ kind: 'audit', quick: true }] },
        ],
      },
    },
  });
  const comment = { action: 'created', issue: { number: 1, labels: [{ name: 'triage' }] } };
  t.same((await webhooks.receiveGithub(github('issue_comment', comment))).body.tasks, ['Answer the comment']);
  t.same((await webhooks.receiveGithub(github('push', { ref: 'refs/heads/release' }))).body.tasks, ['audit']);
  t.same((await webhooks.receiveGithub(github('pull_request', pr('opened')))).body.tasks, [], 'defaults replaced');
  t.same(
    calls.map((c) => c.action),
    [
      { kind: 'task', subject: 'Answer the comment' },
      { kind: 'audit', quick: true },
    ],
  );
});

t.test('generic signed webhook: timestamp window, unknown name, redelivery', async (t) => {
  let now = 1_800_000_000_000;
  const { webhooks, calls } = await setup(t, { now: () => now });
  const send = (body: unknown, ts: number, extra: Record<string, string> = {}, secret = OTHER): RawRequest => {
    const rawBody = Buffer.from(JSON.stringify(body));
    return {
      rawBody,
      headers: {
        'x-fleet-timestamp': String(ts),
        'x-fleet-delivery': `g-${++deliveries}`,
        'x-fleet-event': 'build',
        'x-fleet-signature-256': fleetSignature(secret, ts, rawBody),
        ...extra,
      },
    };
  };
  const seconds = now / 1000;
  const fresh = send({ ok: false }, seconds - 10);
  const answer = await webhooks.receiveGeneric('ci', fresh);
  t.equal(answer.status, 200);
  t.match(answer.body, { received: true, name: 'ci', event: 'build', tasks: ['Look at it'], tasksQueued: 1 });
  t.match((await webhooks.receiveGeneric('ci', fresh)).body, { duplicate: true });
  t.equal(calls.length, 1);

  await refused(t, webhooks.receiveGeneric('ci', send({}, seconds - 301)), 401, 'SCHEDULER_WEBHOOK_STALE');
  await refused(t, webhooks.receiveGeneric('ci', send({}, seconds + 301)), 401, 'SCHEDULER_WEBHOOK_STALE');
  // A captured delivery replayed later: stale, even with its valid signature.
  now += 600_000;
  const replayed = { ...fresh, headers: { ...fresh.headers, 'x-fleet-delivery': 'g-new-id' } };
  await refused(t, webhooks.receiveGeneric('ci', replayed), 401, 'SCHEDULER_WEBHOOK_STALE');
  // A timestamp changed to pass the window breaks the signature.
  const moved = { ...replayed, headers: { ...replayed.headers, 'x-fleet-timestamp': String(now / 1000) } };
  await refused(t, webhooks.receiveGeneric('ci', moved), 401, 'SCHEDULER_WEBHOOK_BAD_SIGNATURE');
  const wrong = send({}, now / 1000, {}, 'not-the-right-secret-at-all');
  await refused(t, webhooks.receiveGeneric('ci', wrong), 401, 'SCHEDULER_WEBHOOK_BAD_SIGNATURE');
  const noTs = send({}, now / 1000, { 'x-fleet-timestamp': 'yesterday' });
  await refused(t, webhooks.receiveGeneric('ci', noTs), 401, 'SCHEDULER_WEBHOOK_BAD_SIGNATURE');
  const unsigned = send({}, now / 1000, { 'x-fleet-signature-256': '' });
  await refused(t, webhooks.receiveGeneric('ci', unsigned), 401, 'SCHEDULER_WEBHOOK_UNSIGNED');
  await refused(t, webhooks.receiveGeneric('nobody', send({}, now / 1000)), 404, 'SCHEDULER_WEBHOOK_UNKNOWN');
  const noId = send({}, now / 1000, { 'x-fleet-delivery': '' });
  await refused(t, webhooks.receiveGeneric('ci', noId), 400, 'SCHEDULER_WEBHOOK_BAD_HEADER');
});

t.test('history newest first with outcomes, one delivery, replay, team isolation', async (t) => {
  const { webhooks, calls } = await setup(t);
  const first = await webhooks.receiveGithub(github('pull_request', pr('closed')));
  await new Promise((resolve) => setTimeout(resolve, 5));
  const second = await webhooks.receiveGithub(github('ping', {}));
  const history = await webhooks.history('alpha', { limit: 20 });
  t.same(
    history.map((h) => h.id),
    [second.body.id, first.body.id],
    'newest first',
  );
  t.match(history[1], {
    event: 'pull_request',
    action: 'closed',
    repository: 'acme/app',
    status: 'processed',
    outcomes: [{ action: 'cleanup-pr-resources', kind: 'template', outcome: 'queued' }],
    processings: [{ kind: 'initial', actor: null }],
  });
  t.notOk('payload' in history[1]!, 'history leaves payloads out');
  t.same(await webhooks.history('beta', { limit: 20 }), [], 'another team sees nothing');
  t.same(
    (await webhooks.history('alpha', { limit: 20, event: 'ping' })).map((h) => h.id),
    [second.body.id],
  );

  const one = await webhooks.get('alpha', first.body.id as string);
  t.match(one, { payload: { action: 'closed' }, payloadSha256: /^[0-9a-f]{64}$/ });
  await refused(t, webhooks.get('beta', first.body.id as string), 404, 'SCHEDULER_WEBHOOK_DELIVERY_NOT_FOUND');
  await refused(
    t,
    webhooks.replay('beta', first.body.id as string, 'eve'),
    404,
    'SCHEDULER_WEBHOOK_DELIVERY_NOT_FOUND',
  );

  const replay = await webhooks.replay('alpha', first.body.id as string, 'lead');
  t.match(replay, { replayed: true, tasks: ['cleanup-pr-resources'], tasksQueued: 1 });
  t.equal(calls.length, 2, 'the replay ran the rules again');
  const after = await webhooks.get('alpha', first.body.id as string);
  t.match(after.processings, [
    { kind: 'initial', actor: null },
    { kind: 'replay', actor: 'lead' },
  ]);
});

/**
 * Sign-in without cookies: a lead's one-time code traded once for a fresh token of its identity;
 * /dashboard/me says who a token is; bad bodies are 400s naming the field.
 */
import t from 'tap';
import { sleep, startFleet } from '../kit/index.js';

t.test('/dashboard/me: a worker token and a lead token are who they are', async (t) => {
  const fleet = await startFleet(t);
  const worker = await fleet.register('w1', 'alpha');
  const lead = await fleet.register('boss', 'alpha', 'team-lead');
  const asWorker = await fleet.request('GET', '/dashboard/me', { token: worker.token });
  t.equal(asWorker.status, 200);
  t.same(asWorker.body, {
    uid: worker.uid,
    handle: 'w1',
    teamName: 'alpha',
    agentType: 'worker',
    role: 'worker',
    isLead: false,
  });
  const asLead = await fleet.request('GET', '/dashboard/me', { token: lead.token });
  t.same(asLead.body, {
    uid: lead.uid,
    handle: 'boss',
    teamName: 'alpha',
    agentType: 'team-lead',
    role: 'coordinator',
    isLead: true,
  });
  const admin = await fleet.request('GET', '/dashboard/me', { token: fleet.adminKey });
  t.equal(admin.status, 403, 'the admin key is no identity');
  const forged = await fleet.request('GET', '/dashboard/me', { token: `${lead.token}x` });
  t.equal(forged.status, 403);
  t.equal(forged.body.code, 'FLEET_TOKEN_INVALID');
});

t.test('a lead’s code signs in once, as that lead, with a fresh token', async (t) => {
  const fleet = await startFleet(t);
  const lead = await fleet.register('boss', 'alpha', 'team-lead');
  const made = await fleet.request('POST', '/dashboard/sign-in-codes', { token: lead.token, body: {} });
  t.equal(made.status, 201);
  const { code, expiresAt, url } = made.body as { code: string; expiresAt: string; url: string };
  t.match(code, /^[A-Za-z0-9_-]{43,}$/, '32 random bytes or more, base64url');
  t.equal(url, `${fleet.url}/#code=${code}`, 'the link carries the code in its fragment');
  const ttl = Date.parse(expiresAt) - Date.now();
  t.ok(ttl > 110_000 && ttl <= 120_000, `good for 120 s (${ttl} ms left)`);

  const signedIn = await fleet.request('POST', '/dashboard/sign-in', { body: { code } });
  t.equal(signedIn.status, 200);
  t.equal(signedIn.headers.get('cache-control'), 'no-store');
  t.same(signedIn.body.identity, {
    uid: lead.uid,
    handle: 'boss',
    teamName: 'alpha',
    agentType: 'team-lead',
    role: 'coordinator',
    isLead: true,
  });
  const token = signedIn.body.token as string;
  // (Minted in the same second as the lead's, with the same claims, it has the same bytes: JWTs are deterministic.)
  const me = await fleet.request('GET', '/dashboard/me', { token });
  t.equal(me.body.handle, 'boss', 'the token works');

  const again = await fleet.request('POST', '/dashboard/sign-in', { body: { code } });
  t.equal(again.status, 401, 'a second use is refused');
  t.equal(again.body.code, 'DASHBOARD_CODE_INVALID');
  const unknown = await fleet.request('POST', '/dashboard/sign-in', { body: { code: 'A'.repeat(43) } });
  t.same(unknown.body, again.body, 'an unknown code gets the same answer as a used one');

  const [first, second] = await Promise.all(
    [0, 1].map(async () => {
      const fresh = await fleet.request('POST', '/dashboard/sign-in-codes', { token: lead.token, body: {} });
      return fresh.body.code as string;
    }),
  );
  t.not(first, second, 'every code is new');
  const race = await Promise.all(
    Array.from({ length: 5 }, () => fleet.request('POST', '/dashboard/sign-in', { body: { code: first } })),
  );
  t.equal(race.filter((answer) => answer.status === 200).length, 1, 'five at once: exactly one signs in');
});

t.test('an expired code is refused like a used one', async (t) => {
  const fleet = await startFleet(t);
  const lead = await fleet.register('boss', 'alpha', 'team-lead');
  const made = await fleet.request('POST', '/dashboard/sign-in-codes', { token: lead.token, body: { ttlSeconds: 1 } });
  t.equal(made.status, 201);
  await sleep(1200);
  const late = await fleet.request('POST', '/dashboard/sign-in', { body: { code: made.body.code } });
  t.equal(late.status, 401);
  t.equal(late.body.code, 'DASHBOARD_CODE_INVALID');
});

t.test('only a team lead makes codes; the admin key and workers are refused', async (t) => {
  const fleet = await startFleet(t);
  const worker = await fleet.register('w1', 'alpha');
  const asWorker = await fleet.request('POST', '/dashboard/sign-in-codes', { token: worker.token, body: {} });
  t.equal(asWorker.status, 403);
  t.equal(asWorker.body.code, 'FLEET_INSUFFICIENT_PERMISSIONS');
  const asAdmin = await fleet.request('POST', '/dashboard/sign-in-codes', { token: fleet.adminKey, body: {} });
  t.equal(asAdmin.status, 403, 'the admin key has no identity to sign in as (fleet open registers a lead)');
  const anonymous = await fleet.request('POST', '/dashboard/sign-in-codes', { body: {} });
  t.equal(anonymous.status, 401);
});

t.test('the minted token has the agent’s current token version (a changed agent’s new one)', async (t) => {
  const fleet = await startFleet(t);
  await fleet.register('boss', 'alpha', 'worker');
  // Promote it: its token version moves on and the old token is revoked.
  const promoted = await fleet.request('POST', '/auth', {
    token: fleet.adminKey,
    body: { handle: 'boss', teamName: 'alpha', agentType: 'team-lead', changeType: true },
  });
  t.equal(promoted.status, 200);
  const made = await fleet.request('POST', '/dashboard/sign-in-codes', { token: promoted.body.token, body: {} });
  const signedIn = await fleet.request('POST', '/dashboard/sign-in', { body: { code: made.body.code } });
  const me = await fleet.request('GET', '/dashboard/me', { token: signedIn.body.token });
  t.equal(me.status, 200, 'not refused as revoked');
  t.equal(me.body.agentType, 'team-lead');

  // Demoted again: every token of the lead ends, the dashboard's too.
  const demoted = await fleet.request('POST', '/auth', {
    token: fleet.adminKey,
    body: { handle: 'boss', teamName: 'alpha', agentType: 'worker', changeType: true },
  });
  t.equal(demoted.status, 200);
  const after = await fleet.request('GET', '/dashboard/me', { token: signedIn.body.token });
  t.equal(after.status, 401);
  t.equal(after.body.code, 'FLEET_TOKEN_REVOKED');
});

t.test('bad bodies are 400s naming the field', async (t) => {
  const fleet = await startFleet(t);
  const lead = await fleet.register('boss', 'alpha', 'team-lead');
  const cases: [path: string, body: unknown, field: string][] = [
    ['/dashboard/sign-in', {}, 'code'],
    ['/dashboard/sign-in', { code: 5 }, 'code'],
    ['/dashboard/sign-in', { code: '' }, 'code'],
    ['/dashboard/sign-in', { code: 'x'.repeat(201) }, 'code'],
    ['/dashboard/sign-in', { code: 'abc', token: 'x' }, 'token'],
    ['/dashboard/sign-in', { code: 'a\u0000b' }, 'code'],
    ['/dashboard/sign-in', [1, 2], 'body'],
    ['/dashboard/sign-in', 'null', 'code'],
    ['/dashboard/sign-in-codes', { ttlSeconds: 0 }, 'ttlSeconds'],
    ['/dashboard/sign-in-codes', { ttlSeconds: 121 }, 'ttlSeconds'],
    ['/dashboard/sign-in-codes', { ttlSeconds: 1.5 }, 'ttlSeconds'],
    ['/dashboard/sign-in-codes', { ttlSeconds: '60' }, 'ttlSeconds'],
    ['/dashboard/sign-in-codes', { handle: 'someone-else' }, 'handle'],
  ];
  for (const [path, body, field] of cases) {
    const answer = await fleet.request('POST', path, {
      token: path.endsWith('codes') ? lead.token : undefined,
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    t.equal(answer.status, 400, `${path} ${JSON.stringify(body)}`);
    t.equal(answer.body.code, 'FLEET_INVALID_INPUT');
    t.equal(answer.body.field, field, `names ${field}`);
  }
  const notJson = await fleet.request('POST', '/dashboard/sign-in', { body: '{"code":' });
  t.equal(notJson.status, 400);
  t.equal(notJson.body.code, 'FLEET_INVALID_JSON');
  const wrongType = await fleet.request('POST', '/dashboard/sign-in', {
    body: 'code=abc',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  t.equal(wrongType.status, 415, 'a form post (what a foreign page could send without CORS) is not read');
});

import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { decodeJwt, SignJWT, UnsecuredJWT } from 'jose';
import t from 'tap';
import { secondStart, startFleet, type TestFleet } from '../../test/kit/index.js';

const sha24 = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 24);

/** POST /auth with whatever credential the test wants (or none). */
const registerWith = (fleet: TestFleet, credential: string | undefined, body: unknown) =>
  fleet.request('POST', '/auth', { token: credential, body });

t.test('POST /auth with the admin key registers an agent with the seed body and response', async (t) => {
  const fleet = await startFleet(t);
  const response = await registerWith(fleet, fleet.adminKey, { handle: 'alice', teamName: 'alpha' });
  t.equal(response.status, 200);
  const { token, ...rest } = response.body;
  t.same(
    rest,
    { uid: sha24('alpha:alice'), handle: 'alice', teamName: 'alpha', agentType: 'worker', role: 'worker' },
    'agentType defaults to worker',
  );
  t.equal(rest.uid, createHash('sha256').update('alpha:alice').digest('hex').slice(0, 24));
  t.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/, 'a compact JWT');
  const claims = decodeJwt(token);
  t.match(claims, { uid: rest.uid, handle: 'alice', teamName: 'alpha', agentType: 'worker', role: 'worker' });
  t.type(claims.iat, 'number');
  t.type(claims.exp, 'number');
  t.ok(claims.exp! > claims.iat!, 'the token expires');

  const again = await registerWith(fleet, fleet.adminKey, { handle: 'alice', teamName: 'alpha' });
  t.equal(again.body.uid, rest.uid, 'the uid is deterministic');

  const lead = await registerWith(fleet, fleet.adminKey, { handle: 'boss', teamName: 'alpha', agentType: 'team-lead' });
  t.equal(lead.status, 200, 'the admin key registers a team lead');
  t.equal(lead.body.agentType, 'team-lead');
  t.equal(lead.body.role, 'coordinator');

  const other = await registerWith(fleet, fleet.adminKey, { handle: 'alice', teamName: 'beta', role: 'monitor' });
  t.equal(other.status, 200, 'the admin key registers in any team');
  t.not(other.body.uid, rest.uid, 'the same handle in another team is another agent');
  t.equal(other.body.role, 'monitor');

  const team = await fleet.request('GET', '/teams/alpha/agents', { token });
  t.equal(team.status, 200, 'the returned token is accepted');
  t.same(
    team.body.map((agent: { handle: string }) => agent.handle),
    ['alice', 'boss'],
  );
});

t.test('a team lead registers workers of its own team only', async (t) => {
  const fleet = await startFleet(t);
  const lead = await fleet.register('boss', 'alpha', 'team-lead');

  const worker = await registerWith(fleet, lead.token, { handle: 'w1', teamName: 'alpha' });
  t.equal(worker.status, 200);
  t.equal(worker.body.agentType, 'worker');
  t.equal(worker.body.uid, sha24('alpha:w1'));
  const list = await fleet.request('GET', '/teams/alpha/agents', { token: worker.body.token });
  t.equal(list.status, 200, 'the token a lead obtained works');

  const otherTeam = await registerWith(fleet, lead.token, { handle: 'w2', teamName: 'beta' });
  t.equal(otherTeam.status, 403, 'another team is refused');
  t.type(otherTeam.body.error, 'string');

  const anotherLead = await registerWith(fleet, lead.token, {
    handle: 'boss2',
    teamName: 'alpha',
    agentType: 'team-lead',
  });
  t.equal(anotherLead.status, 403, 'a lead cannot make a lead');
  t.equal(anotherLead.body.error, 'Insufficient permissions');
  t.ok('required' in anotherLead.body && 'current' in anotherLead.body);

  const coordinator = await registerWith(fleet, lead.token, {
    handle: 'boss3',
    teamName: 'alpha',
    role: 'coordinator',
  });
  t.equal(coordinator.status, 403, 'a lead cannot make a coordinator');
  t.equal(coordinator.body.error, 'Insufficient permissions');

  // None of the refused registrations may have left a row behind.
  const alpha = await fleet.request('GET', '/teams/alpha/agents', { token: lead.token });
  t.same(
    alpha.body.map((agent: { handle: string }) => agent.handle),
    ['boss', 'w1'],
  );
  const beta = await fleet.register('b', 'beta');
  const betaList = await fleet.request('GET', '/teams/beta/agents', { token: beta.token });
  t.same(
    betaList.body.map((agent: { handle: string }) => agent.handle),
    ['b'],
  );
});

t.test('a worker token registers no one: 403 Insufficient permissions with required and current', async (t) => {
  const fleet = await startFleet(t);
  const worker = await fleet.register('w', 'alpha');
  const response = await registerWith(fleet, worker.token, { handle: 'w9', teamName: 'alpha' });
  t.equal(response.status, 403);
  t.same(response.body, {
    error: 'Insufficient permissions',
    code: 'FLEET_INSUFFICIENT_PERMISSIONS',
    required: 'team-lead',
    current: 'worker',
  });
});

t.test('no credential: 401 Authentication required', async (t) => {
  const fleet = await startFleet(t);
  const response = await registerWith(fleet, undefined, { handle: 'anon', teamName: 'alpha', agentType: 'team-lead' });
  t.equal(response.status, 401);
  t.same(response.body, { error: 'Authentication required', code: 'FLEET_AUTH_REQUIRED' });
  const list = await fleet.request('GET', '/teams/alpha/agents');
  t.equal(list.status, 401);
  t.same(list.body, { error: 'Authentication required', code: 'FLEET_AUTH_REQUIRED' });
  t.equal(
    (await fleet.request('GET', '/health', { token: fleet.adminKey })).body.counts.agents,
    0,
    'nothing was registered',
  );
});

t.test('garbage, forged and unsigned tokens: 403 Invalid token', async (t) => {
  const fleet = await startFleet(t);
  const claims = {
    uid: sha24('alpha:boss'),
    handle: 'boss',
    teamName: 'alpha',
    agentType: 'team-lead',
    role: 'coordinator',
  };
  const forged = await new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode('not-the-fleet-secret-not-the-fleet-secret'));
  const unsigned = new UnsecuredJWT(claims).setIssuedAt().setExpirationTime('1h').encode();
  // Signed with the fleet's real secret, but claiming a type that does not exist.
  const fleetSecret = readFileSync(join(fleet.dataDir, 'jwt.secret'), 'utf8').trim();
  const badClaims = await new SignJWT({ ...claims, agentType: 'admin' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(fleetSecret));

  const cases: [string, Record<string, string>][] = [
    ['garbage', { authorization: 'Bearer garbage' }],
    ['forged with another secret', { authorization: `Bearer ${forged}` }],
    ['alg none', { authorization: `Bearer ${unsigned}` }],
    ['unknown agentType claim', { authorization: `Bearer ${badClaims}` }],
    ['not a Bearer header', { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }],
    ['admin key with a typo', { authorization: `Bearer ${fleet.adminKey.slice(0, -1)}x` }],
  ];
  for (const [name, headers] of cases) {
    const register = await fleet.request('POST', '/auth', {
      headers,
      body: { handle: 'intruder', teamName: 'alpha', agentType: 'team-lead' },
    });
    t.equal(register.status, 403, `${name}: POST /auth`);
    t.same(register.body, { error: 'Invalid token', code: 'FLEET_TOKEN_INVALID' }, name);
    const list = await fleet.request('GET', '/teams/alpha/agents', { headers });
    t.equal(list.status, 403, `${name}: GET /teams/alpha/agents`);
    t.equal(list.body.error, 'Invalid token');
  }
  t.equal(
    (await fleet.request('GET', '/health', { token: fleet.adminKey })).body.counts.agents,
    0,
    'no intruder was registered',
  );
});

t.test('an expired token: 401 Token expired (config auth.jwtExpiresIn and env JWT_EXPIRES_IN)', async (t) => {
  const byConfig = await startFleet(t, { config: { auth: { jwtExpiresIn: '1s' } } });
  const byEnv = await startFleet(t, { env: { JWT_EXPIRES_IN: '1' } });
  for (const [name, fleet] of [
    ['config', byConfig],
    ['env', byEnv],
  ] as const) {
    await secondStart();
    const lead = await fleet.register('boss', 'alpha', 'team-lead');
    const claims = decodeJwt(lead.token);
    t.equal(claims.exp! - claims.iat!, 1, `${name}: the token lives one second`);
    const fresh = await fleet.request('GET', '/teams/alpha/agents', { token: lead.token });
    t.equal(fresh.status, 200, `${name}: accepted while fresh`);

    let response = fresh;
    const deadline = Date.now() + 5000;
    while (response.status === 200 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      response = await fleet.request('GET', '/teams/alpha/agents', { token: lead.token });
    }
    t.equal(response.status, 401, `${name}: refused once expired`);
    t.same(response.body, { error: 'Token expired', code: 'FLEET_TOKEN_EXPIRED' });
    const register = await registerWith(fleet, lead.token, { handle: 'w', teamName: 'alpha' });
    t.equal(register.status, 401, `${name}: an expired lead registers no one`);
    t.same(register.body, { error: 'Token expired', code: 'FLEET_TOKEN_EXPIRED' });
  }
});

t.test('invalid bodies are 400 naming the field, never 500', async (t) => {
  const fleet = await startFleet(t);
  const cases: [string, unknown, RegExp][] = [
    ['handle too long', { handle: 'h'.repeat(51), teamName: 'alpha' }, /^handle: /],
    ['handle with bad characters', { handle: 'bad handle!', teamName: 'alpha' }, /^handle: .*letters/],
    ['handle empty', { handle: '', teamName: 'alpha' }, /^handle: /],
    ['handle not a string', { handle: 42, teamName: 'alpha' }, /^handle: must be a string/],
    ['missing teamName', { handle: 'alice' }, /^teamName: is required$/],
    ['teamName with a slash', { handle: 'alice', teamName: 'a/b' }, /^teamName: /],
    [
      'bad agentType',
      { handle: 'alice', teamName: 'alpha', agentType: 'boss' },
      /^agentType: must be one of team-lead, worker$/,
    ],
    ['bad role', { handle: 'alice', teamName: 'alpha', role: 'king' }, /^role: must be one of /],
    ['no body', undefined, /^handle: is required$/],
    ['JSON null', 'null', /^handle: is required$/],
    ['a JSON array', '[]', /^(body|handle): /],
    ['a JSON string', '"alice"', /^body: /],
  ];
  for (const [name, body, expected] of cases) {
    const response = await registerWith(fleet, fleet.adminKey, body);
    t.equal(response.status, 400, name);
    t.match(response.body?.error, expected, name);
    t.same(
      Object.keys(response.body ?? {}),
      ['error', 'code', 'field'],
      `${name}: the message, its code and the field`,
    );
    t.equal(response.body?.code, 'FLEET_INVALID_INPUT', `${name}: FLEET_INVALID_INPUT`);
  }
  const boundary = await registerWith(fleet, fleet.adminKey, { handle: 'h'.repeat(50), teamName: 'A-z_09' });
  t.equal(boundary.status, 200, '50 characters of every allowed kind are accepted');

  const worker = await fleet.register('w', 'alpha');
  const badParam = await fleet.request('GET', `/teams/${encodeURIComponent('no spaces')}/agents`, {
    token: worker.token,
  });
  t.equal(badParam.status, 400);
  t.match(badParam.body.error, /^teamName: /);
});

t.test("GET /teams/:name/agents lists only the caller's own team", async (t) => {
  const fleet = await startFleet(t);
  const alice = await fleet.register('alice', 'alpha');
  await fleet.register('boss', 'alpha', 'team-lead');
  const bob = await fleet.register('bob', 'beta');

  const own = await fleet.request('GET', '/teams/alpha/agents', { token: alice.token });
  t.equal(own.status, 200);
  t.same(
    own.body.map((agent: { handle: string; agentType: string }) => [agent.handle, agent.agentType]),
    [
      ['alice', 'worker'],
      ['boss', 'team-lead'],
    ],
  );
  t.match(own.body[0], { uid: alice.uid, teamName: 'alpha', role: 'worker', presence: /^(online|away|offline)$/ });
  t.notOk(JSON.stringify(own.body).includes('bob'), 'no agent of another team');

  const foreign = await fleet.request('GET', '/teams/alpha/agents', { token: bob.token });
  t.equal(foreign.status, 403, 'another team is refused');
  t.type(foreign.body.error, 'string');
  t.notOk(JSON.stringify(foreign.body).includes('alice'), 'and learns nothing');

  const adminKey = await fleet.request('GET', '/teams/alpha/agents', { token: fleet.adminKey });
  t.equal(adminKey.status, 403, 'the admin key is not an agent token');
  t.equal(adminKey.body.error, 'Invalid token');
});

t.test('GET /debug: a lead sees its own team; the process and fleet-wide numbers need the admin key', async (t) => {
  const fleet = await startFleet(t);
  const worker = await fleet.register('w', 'alpha');
  const lead = await fleet.register('boss', 'alpha', 'team-lead');
  await fleet.register('b1', 'beta');
  await fleet.register('b2', 'beta');

  const anonymous = await fleet.request('GET', '/debug');
  t.equal(anonymous.status, 401);
  t.same(anonymous.body, { error: 'Authentication required', code: 'FLEET_AUTH_REQUIRED' });

  const byWorker = await fleet.request('GET', '/debug', { token: worker.token });
  t.equal(byWorker.status, 403);
  t.same(byWorker.body, {
    error: 'Insufficient permissions',
    code: 'FLEET_INSUFFICIENT_PERMISSIONS',
    required: 'team-lead',
    current: 'worker',
  });

  const byLead = await fleet.request('GET', '/debug', { token: lead.token });
  t.equal(byLead.status, 200);
  t.match(byLead.body, { team: 'alpha', counts: { agents: 2 }, websockets: 0 }, "its own team's numbers");
  t.ok(byLead.body.plugins.some((plugin: { name: string }) => plugin.name === 'auth'));
  for (const key of ['pid', 'memory', 'node', 'events', 'dialect'])
    t.notOk(key in byLead.body, `no ${key}: the process and the fleet are the operator's`);

  const byAdmin = await fleet.request('GET', '/debug', { token: fleet.adminKey });
  t.equal(byAdmin.status, 200);
  t.equal(byAdmin.body.pid, process.pid);
  t.match(byAdmin.body, { counts: { agents: 4 }, events: Object, memory: Object });
});

t.test(
  'GET /health: status and version for anyone; a team’s counts for its agents; all with the admin key',
  async (t) => {
    const fleet = await startFleet(t);
    const before = await fleet.request('GET', '/health');
    t.equal(before.status, 200);
    t.same(before.body, { status: 'ok', version: before.body.version }, 'anonymous: status and version only');
    t.type(before.body.version, 'string');

    const a1 = await fleet.register('a1', 'alpha');
    await fleet.register('a2', 'alpha');
    const b1 = await fleet.register('b1', 'beta');
    await fleet.register('a1', 'alpha'); // re-registering is not a new agent

    const forAlpha = await fleet.request('GET', '/health', { token: a1.token });
    t.match(forAlpha.body, {
      status: 'ok',
      uptime: Number,
      team: 'alpha',
      native: { ringbus: /^(js|native)$/ },
      counts: { agents: 2, websockets: 0 },
    });
    t.same(forAlpha.body.plugins, ['auth', 'metrics']);
    t.notOk('events' in forAlpha.body.counts, 'no fleet-wide event count for a team');
    t.match((await fleet.request('GET', '/health', { token: b1.token })).body, { team: 'beta', counts: { agents: 1 } });

    const forAdmin = await fleet.request('GET', '/health', { token: fleet.adminKey });
    t.match(forAdmin.body, { counts: { agents: 3, websockets: 0, events: Number } }, 'the operator sees the fleet');
    t.notOk('team' in forAdmin.body);
    const forged = await fleet.request('GET', '/health', { token: 'forged' });
    t.same(Object.keys(forged.body).sort(), ['status', 'version'], 'a bad token learns what anyone does');

    for (const body of [forAlpha.body, forAdmin.body]) {
      const text = JSON.stringify(body);
      t.notOk(text.includes(fleet.dataDir), 'no data dir');
      t.notOk(/fleet\.db|\.sqlite|\.db"/.test(text), 'no database file');
      t.notOk(text.includes(fleet.adminKey), 'no admin key');
    }
  },
);

t.test('the admin key is generated with mode 0600 in the data dir', async (t) => {
  const fleet = await startFleet(t);
  const path = join(fleet.dataDir, 'admin.key');
  t.ok(existsSync(path));
  t.equal(statSync(path).mode & 0o777, 0o600);
  t.equal(readFileSync(path, 'utf8').trim(), fleet.adminKey);
  t.ok(fleet.adminKey.length >= 32, 'a long random key');
  t.equal(statSync(join(fleet.dataDir, 'jwt.secret')).mode & 0o777, 0o600, 'the JWT secret too');

  const other = await startFleet(t);
  t.not(other.adminKey, fleet.adminKey, 'each data dir has its own key');
  const refused = await registerWith(other, fleet.adminKey, { handle: 'x', teamName: 'alpha' });
  t.equal(refused.status, 403, "another fleet's key is refused");
});

t.test('FLEET_ADMIN_KEY replaces the generated key', async (t) => {
  const key = 'k'.repeat(40);
  const fleet = await startFleet(t, { env: { FLEET_ADMIN_KEY: key } });
  t.equal(fleet.adminKey, key);
  t.notOk(existsSync(join(fleet.dataDir, 'admin.key')), 'no key file is written');
  const response = await registerWith(fleet, key, { handle: 'boss', teamName: 'alpha', agentType: 'team-lead' });
  t.equal(response.status, 200);
});

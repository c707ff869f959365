/**
 * The test kit itself, on whichever engine the run uses (FLEET_TEST_STORAGE): a fleet boots on it,
 * agents register, /health answers, the WebSocket client talks, and everything the kit starts is
 * gone after the test (temp dir, database, tmux socket). Only auth and metrics: the kit must not
 * depend on the coordination plugins.
 */
import { existsSync } from 'node:fs';
import t from 'tap';
import { auth } from '../../plugins/auth/index.js';
import { metrics } from '../../plugins/metrics/index.js';
import {
  agentUid,
  freePort,
  killTmuxServer,
  nextMillisecond,
  privateTmux,
  registerAgent,
  registerTeam,
  requestJson,
  startFleet,
  tempDir,
  testDatabase,
  testStorage,
  tmuxSocketPath,
  tmuxSync,
  uniqueSocket,
  waitFor,
  withPrivateTmux,
  WsClient,
} from './index.js';

const engine = testStorage();
/** Only these two plugins are offered (no plugin dir is scanned): the others may not load mid-rewrite. */
const only = { pluginDirs: [], extraPlugins: [auth, metrics] };
t.comment(`storage: ${engine}`);

/** Whether a database of this name exists on the run's cluster. */
async function databaseExists(name: string): Promise<boolean> {
  const pg = (await import('pg')).default;
  const client = new pg.Client({ connectionString: process.env.FLEET_TEST_PG_URL });
  await client.connect();
  try {
    return (await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1;
  } finally {
    await client.end();
  }
}

t.test('testStorage reads FLEET_TEST_STORAGE', async (t) => {
  t.equal(testStorage({}), 'sqlite');
  t.equal(testStorage({ FLEET_TEST_STORAGE: 'sqlite' }), 'sqlite');
  const url = 'postgres://x@127.0.0.1:1/postgres';
  t.equal(testStorage({ FLEET_TEST_STORAGE: 'postgres', FLEET_TEST_PG_URL: url }), 'postgres');
  t.throws(() => testStorage({ FLEET_TEST_STORAGE: 'postgres' }), /needs FLEET_TEST_PG_URL/);
  t.throws(() => testStorage({ FLEET_TEST_STORAGE: 'mysql' }), /must be sqlite or postgres/);
});

t.test('a fleet boots on the run’s engine, registers agents and answers /health', async (t) => {
  const fleet = await startFleet(t, { ...only, plugins: { auth: true, metrics: true } });
  t.equal(fleet.kernel.dialect, engine, `the fleet runs on ${engine}`);
  t.equal(fleet.storage.driver, engine);
  t.match(fleet.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  t.ok(existsSync(fleet.dataDir), 'its data dir exists');
  t.equal(fleet.tmuxSocket, undefined, 'no workers plugin, no tmux socket');

  const lead = await registerAgent(fleet, 'lead', 'alpha', 'team-lead');
  t.equal(lead.uid, agentUid('alpha', 'lead'), 'the seed’s uid');
  t.match(lead.token, /\S{20,}/);
  const team = await registerTeam(fleet, 'beta', ['b1', 'b2']);
  t.same(
    team.workers.map((w) => w.handle),
    ['b1', 'b2'],
  );

  const health = await fleet.request('GET', '/health', { token: fleet.adminKey });
  t.equal(health.status, 200);
  t.equal(health.body.counts?.agents, 4, 'four agents, counted by the database');
  t.ok(fleet.logs.length > 0, 'the fleet’s log lines are kept');
  const direct = await requestJson(fleet.url, 'GET', '/health');
  t.equal(direct.status, 200, 'requestJson works on its own');
  const denied = await fleet.request('POST', '/auth', { body: { handle: 'x', teamName: 'alpha' } });
  t.equal(denied.status, 401, 'registering needs the admin key');
});

t.test('the WebSocket client: ping, auth, waiting for a message', async (t) => {
  const fleet = await startFleet(t, { ...only, plugins: { auth: true, metrics: true } });
  const client = await WsClient.open(t, fleet);
  t.same(await client.ask({ type: 'ping' }), { type: 'pong' }, 'a ping gets a pong');
  t.same(await client.sync(), [], 'nothing else arrived before the pong');
  const pong = await client.waitFor('a pong', (m) => m.type === 'pong');
  t.match(pong, { type: 'pong' }, 'waitFor looks from the first message on');
  client.send({ type: 'ping' });
  await waitFor('a third pong', () => client.of('pong').length === 3, 3000);
  t.equal(client.received.length, 3, 'every message is kept');
  await client.close();

  const agent = await registerAgent(fleet, 'w1', 'alpha');
  const authed = await WsClient.as(t, fleet, agent);
  t.same(await authed.ask({ type: 'ping' }), { type: 'pong' }, 'an authenticated socket pings too');
  await t.rejects(WsClient.as(t, fleet, 'not-a-token'), /ws auth failed/);
  const byToken = await WsClient.open(t, fleet.url, agent.token);
  t.same(await byToken.ask({ type: 'ping' }), { type: 'pong' }, 'open with a token authenticates first');
});

t.test('explicit config.storage wins over the environment', async (t) => {
  const fleet = await startFleet(t, { ...only, plugins: { auth: true }, config: { storage: { driver: 'sqlite' } } });
  t.equal(fleet.kernel.dialect, 'sqlite');
  t.equal(fleet.storage.driver, 'sqlite');
});

t.test('what a fleet leaves behind is removed after the test', async (t) => {
  let dataDir = '';
  let storage: { driver: string; url?: string } = { driver: '' };
  await t.test('a fleet', async (t) => {
    const fleet = await startFleet(t, { ...only, plugins: { auth: true, metrics: true } });
    await fleet.register('a', 'alpha');
    dataDir = fleet.dataDir;
    storage = fleet.storage;
  });
  t.notOk(existsSync(dataDir), 'the temp data dir is gone');
  if (storage.driver === 'postgres') {
    const name = new URL(storage.url!).pathname.slice(1);
    t.match(name, /^fleet_t_\d+_\d+_[0-9a-f]+$/);
    t.equal(await databaseExists(name), false, `database ${name} was dropped after the kernel stopped`);
  }
});

const onlyPostgres = { skip: engine !== 'postgres' && 'needs FLEET_TEST_STORAGE=postgres' };

t.test('testDatabase: fresh databases side by side, dropped at teardown', onlyPostgres, async (t) => {
  let names: string[] = [];
  await t.test('two at once', async (t) => {
    const urls = await Promise.all([testDatabase(t), testDatabase(t)]);
    names = urls.map((url) => new URL(url).pathname.slice(1));
    t.not(names[0], names[1]);
    for (const name of names) t.ok(await databaseExists(name), `${name} exists`);
  });
  for (const name of names) t.notOk(await databaseExists(name), `${name} is dropped`);
});

t.test('the workers plugin gets a private tmux socket in its options', async (t) => {
  const fromTrue = withPrivateTmux({ auth: true, workers: true });
  t.match(fromTrue.socket, /^fleet-test-\d+-fleet-/);
  const expected = { auth: true, workers: { tmux: { socket: fromTrue.socket } } };
  t.same(fromTrue.plugins, expected, 'true becomes an options object');
  const kept = withPrivateTmux({ workers: { max: 3, tmux: { session: 's' } } });
  t.same(kept.plugins.workers, { max: 3, tmux: { session: 's', socket: kept.socket } }, 'given options are kept');
  const named = withPrivateTmux({ workers: { tmux: { socket: 'mine' } } });
  t.equal(named.socket, 'mine', 'a socket the test names is used');
  const placed = withPrivateTmux({ workers: true }, '/tmp/data');
  t.equal(
    (placed.plugins.workers as { workingDir?: string }).workingDir,
    '/tmp/data',
    'spawns default to the data dir',
  );
  const own = withPrivateTmux({ workers: { workingDir: '/w' } }, '/tmp/data');
  t.equal((own.plugins.workers as { workingDir?: string }).workingDir, '/w', 'a working dir the test names is kept');
  const off = withPrivateTmux({ auth: true, workers: false });
  t.same(off, { plugins: { auth: true, workers: false }, socket: undefined }, 'workers off: nothing changes');
  t.not(uniqueSocket(), uniqueSocket(), 'socket names are unique');
});

t.test('tmux helpers: a private server, gone at teardown', async (t) => {
  let socket = '';
  await t.test('a server', async (t) => {
    socket = privateTmux(t, 'kit');
    tmuxSync(socket, ['new-session', '-d', '-s', 'kit', 'sleep 60']);
    t.match(tmuxSync(socket, ['list-sessions', '-F', '#{session_name}']), /^kit$/m);
    t.ok(existsSync(tmuxSocketPath(socket)), 'its socket file exists');
  });
  t.notOk(existsSync(tmuxSocketPath(socket)), 'its socket file is removed');
  t.throws(() => tmuxSync(socket, ['list-sessions']), 'no server left');
  killTmuxServer(socket);
});

t.test('waitFor, tempDir, freePort, nextMillisecond', async (t) => {
  let calls = 0;
  t.equal(await waitFor('a count', () => (++calls >= 3 ? calls : undefined), 2000), 3, 'polls until there is a value');
  t.equal(await waitFor('zero', () => 0), 0, '0 is a value');
  t.equal(await waitFor('true', () => true), true);
  calls = 0;
  t.equal(
    await waitFor(
      'no throw',
      () => {
        if (++calls < 3) throw new Error('not yet');
        return 'ok';
      },
      2000,
    ),
    'ok',
    'a check that throws is retried',
  );
  await t.rejects(
    waitFor('never', () => false, 100),
    /timed out after 100 ms waiting for never \(last: false\)/,
  );
  await t.rejects(
    waitFor(
      'a failing check',
      () => {
        throw new Error('boom');
      },
      100,
    ),
    /waiting for a failing check \(last: boom\)/,
  );

  const dir = tempDir(t, 'fleet-kit-');
  t.ok(existsSync(dir));
  const port = await freePort();
  t.ok(port > 0 && port < 65536);
  const before = Date.now();
  await nextMillisecond();
  t.ok(Date.now() > before);
});

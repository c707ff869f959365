/**
 * `fleet workers` across teams: with no team named it lists every team's workers (a TEAM column),
 * read with the admin key from the board; --team (or $CLAUDE_CODE_TEAM_NAME) narrows to one team.
 * The real bin/fleet.mjs against a real fleet running the fake agent in a private tmux server.
 */
import t from 'tap';
import { operatorCli, startFleet, startWorkerFleet, waitFor } from '../kit/index.js';

const lines = (text: string) => text.split('\n').filter(Boolean);
const cells = (text: string) => lines(text).map((line) => line.split(/\s+/));

t.test('every team by default, one with --team; live and failed across teams, stopped in a team', async (t) => {
  const w = await startWorkerFleet(t, {
    workers: { maxRestarts: 0, commands: { ghost: { argv: ['/nonexistent/agent-cli'] } } },
  });
  const beta = (await w.fleet.register('lead', 'beta', 'team-lead')).token;
  t.equal((await w.spawn('w1', { initialPrompt: 'hello' })).status, 201);
  t.equal((await w.spawn('w1', { initialPrompt: 'hello' }, beta)).status, 201, 'beta has a w1 too');
  t.equal((await w.spawn('ghost', { adapter: 'ghost' }, beta)).status, 201);
  t.equal((await w.spawn('gone', { initialPrompt: 'hello' })).status, 201);
  await w.waitWorker('w1', (x) => x.state === 'idle' && x.numTurns === 1, 'idle after its turn');
  await w.waitWorker('gone', (x) => x.state === 'idle', 'idle');
  t.equal((await w.fleet.request('POST', '/orchestrate/dismiss/gone', { token: w.lead })).status, 200);
  await waitFor('beta/w1 idle and beta/ghost failed', async () => {
    const listed = (await w.fleet.request('GET', '/orchestrate/workers', { token: beta })).body as any[];
    const state = (handle: string) => listed.find((x) => x.handle === handle)?.state;
    return state('w1') === 'idle' && state('ghost') === 'failed';
  });

  // No team named: neither --team nor $CLAUDE_CODE_TEAM_NAME.
  const fleet = operatorCli(t, w.fleet, { team: null });
  const all = await fleet.run('workers');
  t.equal(all.code, 0, all.stderr);
  const table = cells(all.stdout);
  t.same(table[0], ['TEAM', 'HANDLE', 'STATE', 'HEALTH', 'RESTARTS', 'TURNS', 'COST']);
  t.same(
    table.slice(1).map((row) => row.slice(0, 3)),
    [
      ['alpha', 'w1', 'idle'],
      ['beta', 'ghost', 'failed'],
      ['beta', 'w1', 'idle'],
    ],
    "both teams' workers, by team and handle; the dismissed one is not live",
  );
  const json = await fleet.run('workers', '--json');
  t.match(JSON.parse(json.stdout), [
    { team: 'alpha', handle: 'w1' },
    { team: 'beta', handle: 'ghost', state: 'failed', error: /cannot start/ },
    { team: 'beta', handle: 'w1' },
  ]);

  const narrowed = await fleet.run('workers', '--team', 'alpha');
  t.equal(narrowed.code, 0, narrowed.stderr);
  t.same(
    cells(narrowed.stdout)
      .slice(1)
      .map((row) => row.slice(0, 3)),
    [
      ['alpha', 'w1', 'idle'],
      ['alpha', 'gone', 'stopped'],
    ],
    "--team: that team's workers, stopped ones too",
  );
  const fromEnv = await operatorCli(t, w.fleet, { team: 'beta' }).run('workers');
  t.same(
    cells(fromEnv.stdout)
      .slice(1)
      .map((row) => row.slice(0, 2)),
    [
      ['beta', 'w1'],
      ['beta', 'ghost'],
    ],
    '$CLAUDE_CODE_TEAM_NAME names the team as for the other commands',
  );
  const none = await fleet.run('workers', '--team', 'gamma');
  t.equal(none.stdout, 'no workers in team gamma\n');
});

t.test('every team of a fleet with no workers, or without the workers plugin', async (t) => {
  const w = await startWorkerFleet(t);
  const empty = await operatorCli(t, w.fleet, { team: null }).run('workers');
  t.same({ code: empty.code, stdout: empty.stdout }, { code: 0, stdout: 'no workers\n' });

  const bare = await startFleet(t, { plugins: { auth: true } });
  const result = await operatorCli(t, bare, { team: null }).run('workers');
  t.equal(result.code, 1);
  t.equal(lines(result.stderr).length, 1, result.stderr);
  t.match(result.stderr, /does not serve GET \/orchestrate\/board: is the workers plugin on\?/);

  const wrongKey = await operatorCli(t, { url: w.fleet.url, adminKey: 'nope' }, { team: null }).run('workers');
  t.equal(wrongKey.code, 1);
  t.equal(lines(wrongKey.stderr).length, 1, wrongKey.stderr);
});

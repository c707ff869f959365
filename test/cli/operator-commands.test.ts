/**
 * The commands a person runs against a fleet: fleet spawn, workers, logs (-f), send, dismiss and
 * --version. The real bin/fleet.mjs as child processes, against a real fleet running the fake agent
 * in a private tmux server; the CLI holds only the admin key (in its environment).
 */
import t from 'tap';
import { operatorCli, startWorkerFleet, waitFor } from '../kit/index.js';

const lines = (text: string) => text.split('\n').filter(Boolean);

t.test('spawn, workers, logs -f, send and dismiss, as the operator', async (t) => {
  const w = await startWorkerFleet(t);
  const fleet = operatorCli(t, w.fleet);

  const spawned = await fleet.run('spawn', 'w1', '--prompt', 'WRITE src/app.ts', '--dir', w.fleet.dataDir);
  t.equal(spawned.code, 0, spawned.stderr);
  t.match(spawned.stdout, /^spawned w1 \(team alpha\): (starting|ready|working)\n$/);
  await w.waitWorker('w1', (x) => x.state === 'idle' && x.numTurns === 1, 'idle after its first turn');

  const table = await fleet.run('workers');
  t.equal(table.code, 0, table.stderr);
  t.same(
    lines(table.stdout).map((line) => line.split(/\s+/)),
    [
      ['TEAM', 'HANDLE', 'STATE', 'HEALTH', 'RESTARTS', 'TURNS', 'COST'],
      ['alpha', 'w1', 'idle', 'healthy', '0', '1', '$0.0012'],
    ],
  );
  const json = await fleet.run('workers', '--json');
  t.match(JSON.parse(json.stdout), [{ handle: 'w1', teamName: 'alpha', state: 'idle' }]);

  const logs = await fleet.run('logs', 'w1');
  t.equal(logs.code, 0, logs.stderr);
  const transcript = lines(logs.stdout);
  t.equal(transcript[0], '› WRITE src/app.ts', 'the initial prompt first, marked as the input');
  t.match(logs.stdout, /^● session [0-9a-f-]{36} · model fake-model-1/m);
  t.match(logs.stdout, /^→ Edit .*src\/app\.ts/m);
  t.match(logs.stdout, /^ {2}← edited/m);
  t.match(logs.stdout, /^■ done \(1 turns · \$0\.0012\)$/m);
  t.notMatch(logs.stdout, /"type":/, 'not raw JSON');
  t.notOk(logs.stdout.includes('\x1b['), 'no colours in a pipe');

  // -f follows: what the worker writes next arrives without asking again.
  const follow = fleet.start('logs', 'w1', '-f');
  await waitFor('the followed transcript', () => /■ done \(1 turns/.test(follow.stdout()));
  const sent = await fleet.run('send', 'w1', 'second', 'words');
  t.equal(sent.code, 0, sent.stderr);
  t.equal(sent.stdout, 'sent to w1 (team alpha)\n');
  await waitFor('the second turn, followed', () => /■ done \(2 turns/.test(follow.stdout()), 15_000);
  t.match(follow.stdout(), /^› second words\nack: second words$/m, 'the input, then the answer');
  t.equal(lines(follow.stdout()).filter((line) => line.startsWith('● session')).length, 1, 'one session line');
  follow.child.kill('SIGINT');
  t.match(await follow.done, { code: 0, signal: null }, 'Ctrl-C ends it cleanly');

  const dismissed = await fleet.run('dismiss', 'w1');
  t.equal(dismissed.code, 0, dismissed.stderr);
  t.equal(dismissed.stdout, 'dismissed w1 (team alpha): stopped\n');
  t.match(lines((await fleet.run('workers')).stdout)[1], /^alpha\s+w1\s+stopped\s/);

  // The operator is a lead of the team, registered with the admin key.
  const agents = await w.fleet.request('GET', '/teams/alpha/agents', { token: w.lead });
  t.match(
    (agents.body as { handle: string; agentType: string }[]).find((agent) => agent.handle === 'operator'),
    { agentType: 'team-lead' },
  );
});

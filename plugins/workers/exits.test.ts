/**
 * How a worker's run ends, with the fake agent in real tmux panes: an agent that cannot start (a
 * missing CLI, an error before it writes anything) fails the worker at once with the reason in its
 * `error`; a restart sends the task again only when it was not finished; the worker's cost and
 * turns never drop across restarts, whether its agent counts per session or per process.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { EventSocket, running, startWorkerFleet, waitFor } from '../../test/kit/index.js';

const spawnSpec = (dir: string) =>
  JSON.parse(readFileSync(join(dir, 'spawn.json'), 'utf8')) as { initialPrompt?: string };

t.test('a missing agent CLI: the spawn answers with the worker failed and why, no restarts', async (t) => {
  const w = await startWorkerFleet(t, {
    workers: { maxRestarts: 3, commands: { ghost: { argv: ['/nonexistent/agent-cli', '--serve'] } } },
  });
  const ws = await EventSocket.open(t, w.fleet.url, w.lead);
  const started = Date.now();
  const spawned = await w.spawn('ghost', { adapter: 'ghost', initialPrompt: 'hello' });
  t.comment(`the spawn answered in ${Date.now() - started} ms`);
  t.equal(spawned.status, 201);
  // Before, the spawn waited out a 10 s connect deadline and the worker stayed 'starting' for good.
  t.match(spawned.body, { state: 'failed', restartCount: 0 }, 'failed in the spawn’s own answer');
  t.match(spawned.body.error, /exited with code 127/, 'the exit is named');
  t.match(spawned.body.error, /cannot start \/nonexistent\/agent-cli: not found \(ENOENT\)/, 'and why');
  const failed = await ws.waitFor('worker_failed', (m) => m.type === 'worker_failed' && m.handle === 'ghost');
  t.match(failed, { restarts: 0, code: 127 });
  t.equal(ws.of('worker_restart', 'ghost').length, 0, 'no restart: the same command would fail the same way');
  t.match(await w.worker('ghost'), { state: 'failed', error: spawned.body.error }, 'the worker keeps the reason');
});

t.test('an agent that exits with an error before writing anything fails at once with its stderr', async (t) => {
  // As Claude Code does when --dangerously-skip-permissions is used as root.
  const refuse =
    `console.error('--dangerously-skip-permissions cannot be used with root privileges'); ` + `process.exit(1);`;
  const w = await startWorkerFleet(t, {
    workers: { maxRestarts: 3, commands: { refuser: { argv: [process.execPath, '-e', refuse] } } },
  });
  t.equal((await w.spawn('root', { adapter: 'refuser', initialPrompt: 'hello' })).status, 201);
  const failed = await w.waitWorker('root', (x) => x.state === 'failed', 'failed');
  t.equal(failed.restartCount, 0, 'not restarted');
  t.match(failed.error, /^exited with code 1: .*cannot be used with root privileges/, 'the reason is in the API');
});

t.test('a worker that died idle is resumed in silence; one cut off mid-turn is told to continue', async (t) => {
  const w = await startWorkerFleet(t, { workers: { maxRestarts: 3 } });
  t.equal((await w.spawn('calm', { initialPrompt: 'hello' })).status, 201);
  const idle = await w.waitWorker('calm', (x) => x.state === 'idle', 'first turn done');
  t.equal(idle.result, 'ack: hello');
  const first = w.host('calm');
  process.kill(first.hostPid, 'SIGKILL');
  const resumed = await w.waitWorker('calm', (x) => x.restartCount === 1 && x.state === 'ready', 'restarted, waiting');
  t.match(resumed.error, /^killed by SIGKILL/, 'why it ended');
  t.equal(spawnSpec(w.workerDir('calm')).initialPrompt, undefined, 'its finished task is not sent again');
  await new Promise((resolve) => setTimeout(resolve, 500));
  t.match(await w.worker('calm'), { state: 'ready', numTurns: 1, result: 'ack: hello' }, 'no second run of the task');
  const sent = await w.fleet.request('POST', '/orchestrate/send/calm', { token: w.lead, body: { message: 'next' } });
  t.equal(sent.status, 200);
  t.match(await w.waitWorker('calm', (x) => x.state === 'idle' && x.numTurns === 2, 'second turn'), {
    result: 'ack: next',
  });

  // Cut off in a long turn: the restart says so.
  await w.fleet.request('POST', '/orchestrate/send/calm', { token: w.lead, body: { message: 'SLEEP 20000' } });
  await w.waitWorker('calm', (x) => x.state === 'working', 'working');
  const second = await waitFor('the second host', () => {
    const host = w.host('calm');
    return host.hostPid !== first.hostPid && running(host.hostPid) ? host : undefined;
  });
  process.kill(second.hostPid, 'SIGKILL');
  const again = await w.waitWorker('calm', (x) => x.restartCount === 2 && x.state === 'idle', 'restarted and idle');
  t.equal(again.result, 'ack: You were restarted in the middle of a turn. Continue where you left off.');

  // Never finished its first turn: the task itself is sent again.
  t.equal((await w.spawn('fresh', { initialPrompt: 'SLEEP 20000\nthe task' })).status, 201);
  await w.waitWorker('fresh', (x) => x.state === 'working', 'working on its task');
  process.kill(w.host('fresh').hostPid, 'SIGKILL');
  await w.waitWorker('fresh', (x) => x.restartCount === 1, 'restarted');
  t.match(spawnSpec(w.workerDir('fresh')).initialPrompt, /^You were restarted\. Continue your task:\nSLEEP 20000/);
});

t.test('cost and turns never drop across a restart, however the agent counts', async (t) => {
  const w = await startWorkerFleet(t, { workers: { maxRestarts: 3 } });
  t.equal((await w.spawn('payer', { initialPrompt: 'hello' })).status, 201);
  t.match(await w.waitWorker('payer', (x) => x.state === 'idle', 'first turn'), { costUsd: 0.0012, numTurns: 1 });

  // Per session (as Claude Code reports): the resumed run carries the figures on.
  await w.fleet.request('POST', '/orchestrate/send/payer', { token: w.lead, body: { message: 'CRASH' } });
  const carried = await w.waitWorker('payer', (x) => x.restartCount === 1 && x.state === 'idle', 'restart 1');
  t.match(carried, { costUsd: 0.0024, numTurns: 2 }, 'per session: the reported figures are the totals');

  // Per process: the next run reports from zero; the worker adds what the earlier runs spent.
  await w.fleet.request('POST', '/orchestrate/send/payer', { token: w.lead, body: { message: 'FORGET\nCRASH' } });
  const added = await w.waitWorker('payer', (x) => x.restartCount === 2 && x.state === 'idle', 'restart 2');
  t.match(added, { costUsd: 0.0036, numTurns: 3 }, 'per process: the earlier runs are kept (it read 0.0012 before)');
  await w.fleet.request('POST', '/orchestrate/send/payer', { token: w.lead, body: { message: 'one more' } });
  t.match(
    await w.waitWorker('payer', (x) => x.state === 'idle' && x.numTurns === 4, 'one more turn'),
    { costUsd: 0.0048 },
    'and go on adding up',
  );
});

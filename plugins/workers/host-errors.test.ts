/**
 * A pane host that dies while the fleet writes to it (issue 9): its socket resets or breaks under
 * the writes (EPIPE, ECONNRESET, write after end), which once crashed the whole fleet process. A
 * pane host killed with SIGKILL, and a worker's tmux window closed, each under a barrage of
 * concurrent sends and direct messages (which the fleet forwards to the agent over the same socket):
 * every send answers, 200 or a 409 that says why (never a 500, never a hang), the fleet keeps
 * serving, and the worker goes through its exit path: restarted, or failed with maxRestarts 0.
 */
import t, { type Test } from 'tap';
import {
  freezePaneHost,
  running,
  sleep,
  startWorkerFleet,
  tmuxSync,
  waitFor,
  type WorkerFleet,
} from '../../test/kit/index.js';

/** A send that has not answered by then counts as a hang. */
const SEND_TIMEOUT_MS = 12_000;

interface Answer {
  what: 'send' | 'dm';
  status: number;
  code?: string;
  error?: string;
}

/** One request bounded by SEND_TIMEOUT_MS; a timeout or a dropped connection answers status 0. */
async function post(url: string, token: string, path: string, body: unknown): Promise<Omit<Answer, 'what'>> {
  try {
    const response = await fetch(url + path, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
    });
    const parsed = (await response.json().catch(() => ({}))) as { code?: string; error?: string; isError?: boolean };
    const error = parsed.isError ? JSON.stringify(parsed) : parsed.error;
    return { status: response.status, code: parsed.code, error };
  } catch (error) {
    return { status: 0, error: (error as Error).name === 'TimeoutError' ? 'no answer (hang)' : String(error) };
  }
}

/**
 * `senders` concurrent loops of POST /orchestrate/send/<handle> (every fourth request a team_send
 * DM instead, forwarded by the fleet itself) while `during` runs, and `afterMs` longer.
 */
async function barrage(
  w: WorkerFleet,
  handle: string,
  during: () => Promise<void>,
  { senders = 12, afterMs = 1200 } = {},
): Promise<Answer[]> {
  const answers: Answer[] = [];
  let stop = false;
  let n = 0;
  const loop = async () => {
    while (!stop) {
      const i = n++;
      if (i % 4 === 3) {
        const dm = { name: 'team_send', arguments: { handle, message: `dm ${i}` } };
        answers.push({ what: 'dm', ...(await post(w.fleet.url, w.lead, '/mcp/call', dm)) });
      } else {
        const send = { message: `ping ${i}` };
        answers.push({ what: 'send', ...(await post(w.fleet.url, w.lead, `/orchestrate/send/${handle}`, send)) });
      }
    }
  };
  const loops = Array.from({ length: senders }, loop);
  try {
    await sleep(100);
    await during();
    await sleep(afterMs);
  } finally {
    stop = true;
    await Promise.all(loops);
  }
  return answers;
}

/** Waiting for input: idle after a turn, or ready when a restart resumed it with nothing to do. */
const waiting = (worker: { state: string }) => worker.state === 'idle' || worker.state === 'ready';

/** Every answer is a 200, or a 409 saying the worker is not running or refused the input. */
function checkAnswers(t: Test, answers: Answer[], what: string): void {
  const bad = answers.filter(
    (a) =>
      a.status !== 200 &&
      !(a.what === 'send' && a.status === 409 && ['WORKERS_NOT_RUNNING', 'WORKERS_INPUT_REFUSED'].includes(a.code!)),
  );
  const counts: Record<string, number> = {};
  for (const a of answers) {
    const key = `${a.what} ${a.status} ${a.code ?? ''}`.trim();
    counts[key] = (counts[key] ?? 0) + 1;
  }
  t.ok(answers.length >= 12, `${what}: ${answers.length} requests answered`);
  t.same(bad.slice(0, 5), [], `${what}: every answer is 200 or a clear 409 (${JSON.stringify(counts)})`);
}

async function checkServing(t: Test, w: WorkerFleet, what: string): Promise<void> {
  const health = await w.fleet.request('GET', '/health');
  t.equal(health.status, 200, `${what}: GET /health answers 200`);
}

/** The worker's pane host once it runs and differs from `previous` (a restart writes a new host.json). */
function newHost(w: WorkerFleet, handle: string, previous?: number): Promise<{ hostPid: number; agentPid: number }> {
  return waitFor(`${handle}: a running pane host`, () => {
    const host = w.host(handle);
    return host.hostPid !== previous && running(host.hostPid) ? host : undefined;
  });
}

t.test('a pane host killed with input unread (ECONNRESET): every send answers 409, it restarts', async (t) => {
  const w = await startWorkerFleet(t, { workers: { maxRestarts: 1 } });
  t.equal((await w.spawn('w0', { initialPrompt: 'hello' })).status, 201);
  await w.waitWorker('w0', (x) => x.state === 'idle', 'idle');
  const host = await newHost(w, 'w0');
  const thaw = freezePaneHost(w.socket, host.hostPid);
  t.teardown(thaw);
  // Written to the host's socket and never read: a host killed like this resets the connection, every time.
  const sends = Array.from({ length: 16 }, (_, i) =>
    post(w.fleet.url, w.lead, '/orchestrate/send/w0', { message: `unread ${i}` }),
  );
  await sleep(300);
  process.kill(host.hostPid, 'SIGKILL');
  thaw();
  const answers = await Promise.all(sends);
  t.same(
    answers.filter((a) => a.status !== 409 || a.code !== 'WORKERS_INPUT_REFUSED'),
    [],
    `every send is refused with a 409 (${answers[0]?.error})`,
  );
  await checkServing(t, w, 'after the reset');
  await w.waitWorker('w0', (x) => x.restartCount === 1 && waiting(x), 'restarted and waiting');
  const sent = await w.fleet.request('POST', '/orchestrate/send/w0', { token: w.lead, body: { message: 'back?' } });
  t.equal(sent.status, 200, 'the restarted worker takes input');
});

t.test('kill -9 the pane host under concurrent sends, 3 times: the fleet answers, the worker restarts', async (t) => {
  const w = await startWorkerFleet(t, { workers: { maxRestarts: 3 } });
  t.equal((await w.spawn('w1', { initialPrompt: 'hello' })).status, 201);
  let previous: number | undefined;
  for (let round = 0; round < 3; round++) {
    await w.waitWorker('w1', (x) => x.restartCount === round && waiting(x), `waiting (round ${round})`);
    const host = await newHost(w, 'w1', previous);
    previous = host.hostPid;
    const answers = await barrage(w, 'w1', async () => void process.kill(host.hostPid, 'SIGKILL'));
    checkAnswers(t, answers, `round ${round}`);
    await checkServing(t, w, `round ${round}`);
    const restarted = await w.waitWorker('w1', (x) => x.restartCount === round + 1, `restart ${round + 1}`);
    t.not(restarted.state, 'failed', `round ${round}: restarted, not failed`);
  }
  await w.waitWorker('w1', waiting, 'waiting after the last restart');
  await newHost(w, 'w1', previous);
  const sent = await w.fleet.request('POST', '/orchestrate/send/w1', {
    token: w.lead,
    body: { message: 'still there?' },
  });
  t.equal(sent.status, 200, 'the restarted worker takes input');
});

t.test('maxRestarts 0: a pane host killed under concurrent sends fails its worker; the fleet answers', async (t) => {
  const w = await startWorkerFleet(t, { workers: { maxRestarts: 0 } });
  t.equal((await w.spawn('once', { initialPrompt: 'hello' })).status, 201);
  await w.waitWorker('once', (x) => x.state === 'idle', 'idle');
  const host = await newHost(w, 'once');
  const answers = await barrage(w, 'once', async () => void process.kill(host.hostPid, 'SIGKILL'), { afterMs: 2000 });
  checkAnswers(t, answers, 'killed host');
  await checkServing(t, w, 'killed host');
  const failed = await w.waitWorker('once', (x) => x.state === 'failed', 'failed');
  t.equal(failed.restartCount, 0);
  const late = await w.fleet.request('POST', '/orchestrate/send/once', { token: w.lead, body: { message: 'hello?' } });
  t.match(late, { status: 409, body: { code: 'WORKERS_NOT_RUNNING' } }, 'a failed worker refuses input with a 409');
});

t.test('the worker’s tmux window closed under concurrent sends: the fleet answers, the worker restarts', async (t) => {
  const w = await startWorkerFleet(t, { workers: { maxRestarts: 2 } });
  t.equal((await w.spawn('win', { initialPrompt: 'hello' })).status, 201);
  let previous: number | undefined;
  for (let round = 0; round < 2; round++) {
    const idle = await w.waitWorker('win', (x) => x.restartCount === round && waiting(x), `waiting (${round})`);
    previous = (await newHost(w, 'win', previous)).hostPid;
    const answers = await barrage(w, 'win', async () => void tmuxSync(w.socket, ['kill-window', '-t', idle.paneId]));
    checkAnswers(t, answers, `window closed (round ${round})`);
    await checkServing(t, w, `window closed (round ${round})`);
    await w.waitWorker('win', (x) => x.restartCount === round + 1, `restart ${round + 1}`);
  }
});

/**
 * Trim and continue with the fake agent in real tmux panes: a trim asks the worker for a checkpoint
 * (it answers with the checkpoint_create tool), ends the session and continues in a fresh one seeded
 * with it, recorded as the child; a trim whose worker writes none in time builds one from the
 * transcript (task, last result, files) and stops the worker until continue; lineage lists the
 * chain with tokens; autoTrim does trim + continue when the reported context passes its threshold;
 * without the checkpoints plugin the fleet's own checkpoint is used. Refusals, and other teams.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { EventSocket, startWorkerFleet, waitFor, type WorkerFleet } from '../../test/kit/index.js';
import type { SessionsApi } from './index.js';

const firstPrompt = (dir: string) =>
  (JSON.parse(readFileSync(join(dir, 'spawn.json'), 'utf8')) as { initialPrompt?: string }).initialPrompt ?? '';

function helpers(w: WorkerFleet) {
  const call = (method: string, path: string, body?: unknown, token = w.lead) =>
    w.fleet.request(method, path, { token, body });
  const api = () => w.fleet.kernel.api<SessionsApi>('sessions')!;
  const sessionsOf = async (handle: string) => (await call('GET', `/sessions/worker/${handle}`)).body.sessions as any[];
  const idle = (handle: string, turns: number) =>
    w.waitWorker(handle, (x) => x.state === 'idle' && x.numTurns === turns, `idle after ${turns} turns`, 30_000);
  return { call, api, sessionsOf, idle };
}

t.test('trim + continue: the worker’s checkpoint seeds a fresh session, recorded as the child', async (t) => {
  const w = await startWorkerFleet(t, { plugins: { sessions: true, checkpoints: true } });
  const { call, api, sessionsOf, idle } = helpers(w);
  const ws = await EventSocket.open(t, w.fleet.url, w.lead);
  const task = (await call('POST', '/tasks', { subject: 'trim the context' })).body;
  const answer = 'TOOL checkpoint_create {"goal":"ship the trim","now":"halfway","next":["finish it"]}';
  const spawned = await w.spawn('w1', {
    initialPrompt: `TOOL team_claim {"task_id":"${task.id}"}\nWHEN checkpoint_create => ${answer}`,
  });
  t.equal(spawned.status, 201, JSON.stringify(spawned.body));
  await idle('w1', 1);
  await api().settled();
  const [root] = await sessionsOf('w1');
  t.match(root, { agentSessionId: spawned.body.sessionId, derivation: 'root', taskId: task.id, endedAt: null });

  const trimmed = await call('POST', `/sessions/${root.id}/trim`, { continue: true, deadlineSeconds: 20 });
  t.equal(trimmed.status, 200, 'trimmed');
  t.match(trimmed.body, {
    session: {
      id: root.id,
      endReason: 'trimmed',
      checkpoint: { source: 'worker', checkpoint: { goal: 'ship the trim' } },
    },
    checkpoint: { source: 'worker', checkpoint: { goal: 'ship the trim', now: 'halfway' } },
    continued: { parentId: root.id, derivation: 'continued', endedAt: null },
  });
  t.ok(trimmed.body.session.endedAt, 'the trimmed session has ended');
  const child = trimmed.body.continued;
  const worker = await idle('w1', 3);
  t.equal(worker.sessionId, child.agentSessionId, 'the worker runs in the new session');
  t.not(child.agentSessionId, root.agentSessionId);
  const seed = firstPrompt(w.workerDir('w1'));
  t.match(seed, /You continue in a fresh session/, 'the new session’s first prompt is the seed');
  t.match(seed, /Goal: ship the trim/, 'with the worker’s checkpoint');
  t.match(seed, new RegExp(`Your task in progress: trim the context \\(task ${task.id}\\)`), 'and its task');

  await api().settled();
  const lineage = (await call('GET', `/sessions/${child.id}/lineage`)).body;
  t.same(
    lineage.sessions.map((s: any) => [s.id, s.parentId]),
    [
      [root.id, null],
      [child.id, root.id],
    ],
    'the lineage: root, then its continuation',
  );
  t.equal(lineage.rootId, root.id);
  t.equal(
    lineage.total.results,
    lineage.sessions.reduce((n: number, s: any) => n + s.results, 0),
  );
  t.equal(
    lineage.total.inputTokens,
    lineage.sessions.reduce((n: number, s: any) => n + s.inputTokens, 0),
  );
  const fromRoot = (await call('GET', `/sessions/${root.id}/lineage`)).body;
  t.same({ ...fromRoot, id: child.id }, lineage, 'the same chain from either end');
  await waitFor('events', () => ws.of('session_trimmed', 'w1').length === 1);
  t.match(ws.of('session_trimmed', 'w1')[0], { session: { id: root.id }, continuedIn: child.id });
  t.match(ws.of('session_ended', 'w1'), [{ session: { id: root.id, endReason: 'trimmed' } }]);
  t.same(
    ws.of('session_started', 'w1').map((m) => m.session.id),
    [root.id, child.id],
  );

  // Refusals: an ended session is not trimmed again, a running one not continued, a continued one
  // not continued twice; another worker may not trim w1's session; another team sees nothing.
  t.match(await call('POST', `/sessions/${root.id}/trim`), { status: 409, body: { code: 'SESSIONS_ENDED' } });
  t.match(await call('POST', `/sessions/${child.id}/continue`), { status: 409, body: { code: 'SESSIONS_NOT_ENDED' } });
  t.match(await call('POST', `/sessions/${root.id}/continue`), {
    status: 409,
    body: {
      code: 'SESSIONS_ALREADY_CONTINUED',
      error: `Session ${root.id} was already continued in session ${child.id}`,
    },
  });
  const bob = (await w.fleet.register('bob', 'alpha', 'worker')).token;
  t.match(await call('POST', `/sessions/${child.id}/trim`, {}, bob), {
    status: 403,
    body: { code: 'SESSIONS_NOT_YOURS', error: 'Only a team lead or w1 itself may trim this session' },
  });
  const beta = (await w.fleet.register('lead', 'beta', 'team-lead')).token;
  t.equal((await call('POST', `/sessions/${child.id}/trim`, {}, beta)).status, 404);
  t.equal((await call('GET', `/sessions/${child.id}/lineage`, undefined, beta)).status, 404);

  // Trim without continue, and no time for the worker's own checkpoint: the fleet builds it from the
  // transcript (its task, last result, the files its tool calls named), and the worker stops.
  await w.fleet.request('POST', '/orchestrate/send/w1', { token: w.lead, body: { message: 'WRITE /work/b.ts' } });
  await idle('w1', 4);
  await api().settled();
  const stop = await call('POST', `/sessions/${child.id}/trim`, { deadlineSeconds: 0 });
  t.equal(stop.status, 200, 'trimmed without continue');
  t.match(stop.body, {
    session: { id: child.id, endReason: 'trimmed' },
    checkpoint: {
      source: 'transcript',
      checkpoint: {
        goal: `Task ${task.id}: trim the context`,
        now: /^Last result: /,
        files: { modified: ['/work/b.ts'] },
      },
    },
    continued: null,
  });
  t.equal((await w.worker('w1')).state, 'stopped', 'the worker stops until the session is continued');
  const stoppedToken = JSON.parse(readFileSync(join(w.workerDir('w1'), 'spawn.json'), 'utf8')).env
    .FLEET_TOKEN as string;
  t.equal(
    (await w.fleet.request('GET', '/sessions/worker/w1', { token: stoppedToken })).status,
    401,
    'its token is revoked while it is stopped',
  );

  const next = await call('POST', `/sessions/${child.id}/continue`, { prompt: 'TOOL team_status {}\ncarry on' });
  t.equal(next.status, 201, 'continued');
  t.match(next.body, { session: { parentId: child.id, derivation: 'continued' }, parent: { id: child.id } });
  const revived = await w.waitWorker(
    'w1',
    (x) => x.state === 'idle' && x.sessionId === next.body.session.agentSessionId,
    'back',
  );
  t.equal(revived.result, 'team_status: ok', 'with a new token its fleet tools work');
  const seeded = firstPrompt(w.workerDir('w1'));
  t.match(seeded, /Goal: Task .*: trim the context/, 'seeded with the fleet’s checkpoint');
  t.match(seeded, /- \/work\/b\.ts/);
  t.ok(seeded.endsWith('carry on'), 'and the caller’s words last');
  t.equal((await call('GET', `/sessions/${root.id}/lineage`)).body.sessions.length, 3, 'three in the chain');
});

t.test('autoTrim: a context past the threshold is trimmed and continued by itself', async (t) => {
  const w = await startWorkerFleet(t, { plugins: { sessions: { trimDeadlineSeconds: 1 } } });
  const { api, sessionsOf, idle } = helpers(w);
  const spawned = await w.spawn('big', { initialPrompt: 'hello', autoTrim: 5000 });
  t.equal(spawned.status, 201, JSON.stringify(spawned.body));
  await idle('big', 1);
  t.equal((await sessionsOf('big')).length, 1, 'a small context is left alone');
  await w.fleet.request('POST', '/orchestrate/send/big', { token: w.lead, body: { message: 'USAGE 6000 10' } });
  const moved = await w.waitWorker(
    'big',
    (x) => x.state === 'idle' && x.sessionId !== spawned.body.sessionId,
    'in a fresh session',
    30_000,
  );
  await api().settled();
  const sessions = await sessionsOf('big');
  t.equal(sessions.length, 2);
  const [child, root] = sessions;
  t.match(root, { endReason: 'trimmed', contextTokens: 6010, checkpoint: { id: null, source: 'transcript' } });
  t.match(child, { parentId: root.id, agentSessionId: moved.sessionId, endedAt: null });
  t.match(
    firstPrompt(w.workerDir('big')),
    /checkpoint built by the fleet from your transcript/,
    'no checkpoints plugin: the fleet’s own',
  );
  // The checkpoint request itself was answered in the old session (its context still full): one trim only.
  await new Promise((resolveWait) => setTimeout(resolveWait, 500));
  t.equal((await sessionsOf('big')).length, 2, 'no trim loop');

  const off = await w.spawn('never', { initialPrompt: 'USAGE 9000 10', autoTrim: 0 });
  t.equal(off.status, 201);
  await idle('never', 1);
  await api().settled();
  t.equal((await sessionsOf('never')).length, 1, 'autoTrim 0: never');
  const bad = await w.spawn('odd', { autoTrim: 10 });
  t.match(bad, { status: 400, body: { error: 'autoTrim: must be 0 (never) or at least 1000 tokens' } });
});

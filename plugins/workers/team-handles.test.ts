/**
 * A worker is its team and its handle. Two teams each run a worker `w1` at once (real tmux, the
 * fake agent): each lists, sends to, reads and dismisses only its own, and nothing one team gets
 * (answers, errors, events) tells it about the other's; `fleet attach w1` asks which team. A spawn
 * of the same handle queued by two teams starts for both, and both survive the server booting
 * again on the same data dir. A data dir of the schema before (handle as the key, worker dirs at
 * <dataDir>/workers/<handle>) migrates with its rows, and its live worker is re-adopted where it runs.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { TmuxDriver, writeSpawnSpec } from '../../core/index.js';
import {
  EventSocket,
  FLEET_BIN,
  fakeAgentWorkers,
  killTmuxServer,
  killWorkerProcesses,
  privateTmux,
  requestJson,
  runFleetCli,
  running,
  startFleet,
  startWorkerFleet,
  tempDir,
  type TestFleet,
  tmuxSync,
  waitFor,
} from '../../test/kit/index.js';
import { buildSpawnSpec } from './adapters.js';
import { findWorkerWindow } from './attach-command.js';
import { type WorkersApi, workers } from './index.js';
import type { WorkerRow } from './worker-store.js';

type Call = (method: string, path: string, body?: unknown) => Promise<{ status: number; body: any }>;

/** A lead's calls, and its team's worker of a handle as GET /orchestrate/workers lists it. */
function leadOf(url: () => string, token: string) {
  const call: Call = (method, path, body) => requestJson(url(), method, path, { token, body });
  const list = async () => {
    const answer = await call('GET', '/orchestrate/workers');
    if (answer.status !== 200) throw new Error(`GET /orchestrate/workers: ${answer.status}`);
    return answer.body as any[];
  };
  const worker = async (handle: string) => (await list()).find((w) => w.handle === handle);
  const waitWorker = (handle: string, match: (worker: any) => boolean, what: string) =>
    waitFor(
      `${handle}: ${what}`,
      async () => {
        const found = await worker(handle);
        return found && match(found) ? found : undefined;
      },
      30_000,
    );
  const output = async (handle: string) =>
    ((await call('GET', `/orchestrate/output/${handle}?cursor=0&limit=1000`)).body.lines as { text: string }[]).map(
      (line) => line.text,
    );
  return { token, call, list, worker, waitWorker, output };
}

const hostOf = (dir: string) =>
  JSON.parse(readFileSync(join(dir, 'host.json'), 'utf8')) as { hostPid: number; agentPid: number };

t.test('alpha and beta each run a w1: each sees, sends to, reads and dismisses only its own', async (t) => {
  const w = await startWorkerFleet(t);
  const { fleet } = w;
  const alpha = leadOf(() => fleet.url, w.lead);
  const beta = leadOf(() => fleet.url, (await fleet.register('lead', 'beta', 'team-lead')).token);
  const betaWs = await EventSocket.open(t, fleet.url, beta.token);

  const alphaSpawn = await alpha.call('POST', '/orchestrate/spawn', {
    handle: 'w1',
    workingDir: fleet.dataDir,
    initialPrompt: 'alpha-first',
  });
  t.equal(alphaSpawn.status, 201, JSON.stringify(alphaSpawn.body));
  const betaSpawn = await beta.call('POST', '/orchestrate/spawn', {
    handle: 'w1',
    workingDir: fleet.dataDir,
    initialPrompt: 'beta-first',
  });
  t.equal(betaSpawn.status, 201, `beta's w1 spawns while alpha's runs: ${JSON.stringify(betaSpawn.body)}`);
  t.match(betaSpawn.body, { handle: 'w1', teamName: 'beta', restartCount: 0 });
  const alphaIdle = await alpha.waitWorker('w1', (x) => x.state === 'idle', 'idle');
  const betaIdle = await beta.waitWorker('w1', (x) => x.state === 'idle', 'idle');
  t.match(alphaIdle, { teamName: 'alpha', result: 'ack: alpha-first', numTurns: 1 });
  t.match(betaIdle, { teamName: 'beta', result: 'ack: beta-first', numTurns: 1 });
  t.not(alphaIdle.sessionId, betaIdle.sessionId, 'two agents, two sessions');
  t.not(alphaIdle.paneId, betaIdle.paneId, 'two panes');

  // Each lead lists its own w1 only; each worker has its own directory, pane host and agent.
  t.same(
    (await alpha.list()).map((x) => [x.handle, x.teamName, x.sessionId]),
    [['w1', 'alpha', alphaIdle.sessionId]],
  );
  t.same(
    (await beta.list()).map((x) => [x.handle, x.teamName, x.sessionId]),
    [['w1', 'beta', betaIdle.sessionId]],
  );
  t.equal(w.workerDir('w1'), join(fleet.dataDir, 'workers', 'alpha', 'w1'));
  const alphaHost = hostOf(w.workerDir('w1'));
  const betaHost = hostOf(w.workerDir('w1', 'beta'));
  t.not(alphaHost.agentPid, betaHost.agentPid);
  t.ok(
    [alphaHost, betaHost].every((h) => running(h.hostPid) && running(h.agentPid)),
    'both run',
  );

  // tmux: two windows named w1, told apart by their team; the status line names team/handle.
  const windows = tmuxSync(w.socket, [
    'list-windows',
    '-t',
    '=fleet',
    '-F',
    '#{window_name}|#{@fleet_team}|#{@fleet_handle}|#{pane_title}',
  ])
    .trim()
    .split('\n')
    .filter((line) => line.startsWith('w1|'))
    .sort();
  t.same(windows, ['w1|alpha|w1|worker:w1', 'w1|beta|w1|worker:w1']);
  await waitFor('the status line', () => {
    const status = tmuxSync(w.socket, ['show-options', '-gv', '@fleet_workers']);
    return status.includes('alpha/w1:idle') && status.includes('beta/w1:idle');
  });
  const tmux = new TmuxDriver({ socket: w.socket });
  t.match(
    await findWorkerWindow(tmux, 'fleet', 'w1'),
    { error: 'w1 is a worker of teams alpha, beta: say which with --team <team>', code: 2 },
    'fleet attach w1 asks which team',
  );
  const betaWindow = await findWorkerWindow(tmux, 'fleet', 'w1', 'beta');
  t.match(betaWindow, { windowId: /^@\d+$/, team: 'beta' });
  const paneWindow = tmuxSync(w.socket, ['display-message', '-p', '-t', betaIdle.paneId, '#{window_id}']).trim();
  t.equal((betaWindow as { windowId: string }).windowId, paneWindow, "--team beta finds beta's window");
  t.match(await findWorkerWindow(tmux, 'fleet', 'w1', 'gamma'), { error: /no worker w1 of team gamma/, code: 1 });

  // The command itself, on a config naming the fleet's tmux socket (no terminal here: it selects
  // the window, then attach-session fails, which is as far as a test can go).
  const configDir = tempDir(t, 'fleet-attach-');
  const configFile = join(configDir, 'fleet.config.ts');
  writeFileSync(
    configFile,
    `export default ${JSON.stringify({ plugins: { auth: true, workers: { tmux: { socket: w.socket } } } })};\n`,
  );
  // Run asynchronously: a synchronous child blocks this process, whose fleet then closes the HTTP
  // client's idle keep-alive socket just as the next request is written to it (ECONNRESET).
  const attach = (...args: string[]) =>
    runFleetCli(t, ['attach', ...args, '--config', configFile], {
      cwd: configDir,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: configDir },
      timeoutMs: 30_000,
    });
  const ambiguous = await attach('w1');
  t.equal(ambiguous.code, 2, ambiguous.stderr);
  t.match(ambiguous.stderr, /w1 is a worker of teams alpha, beta: say which with --team <team>/);
  const chosen = await attach('w1', '--team', 'beta');
  t.match(chosen.stdout, /worker w1 of team beta/);
  t.equal(
    tmuxSync(w.socket, ['display-message', '-p', '-t', '=fleet:', '#{window_id}']).trim(),
    paneWindow,
    "beta's w1 is the session's current window",
  );

  // Beta's send reaches beta's w1 only.
  const sent = await beta.call('POST', '/orchestrate/send/w1', { message: 'beta-second' });
  t.same(sent.body, { success: true, handle: 'w1' });
  await beta.waitWorker('w1', (x) => x.numTurns === 2 && x.state === 'idle', 'its second turn');
  t.match(await beta.worker('w1'), { result: 'ack: beta-second' });
  t.match(await alpha.worker('w1'), { result: 'ack: alpha-first', numTurns: 1 }, "alpha's w1 got nothing");
  const betaLines = await beta.output('w1');
  t.ok(betaLines.some((line) => line.includes('beta-second')));
  t.notOk(
    betaLines.some((line) => line.includes('alpha')),
    "beta reads its own w1's output, none of alpha's",
  );
  t.notOk(
    (await alpha.output('w1')).some((line) => line.includes('beta')),
    'and alpha none of beta’s',
  );

  // Beta's dismiss stops beta's w1; alpha's keeps running and answers.
  const dismissed = await beta.call('POST', '/orchestrate/dismiss/w1');
  t.match(dismissed, { status: 200, body: { handle: 'w1', teamName: 'beta', state: 'stopped' } });
  t.notOk(running(betaHost.hostPid) || running(betaHost.agentPid), "beta's w1 is gone");
  t.ok(running(alphaHost.hostPid) && running(alphaHost.agentPid), "alpha's w1 still runs");
  t.match(await alpha.worker('w1'), { state: 'idle', health: 'healthy' });
  t.equal((await alpha.call('POST', '/orchestrate/send/w1', { message: 'alpha-second' })).status, 200);
  await alpha.waitWorker('w1', (x) => x.numTurns === 2 && x.result === 'ack: alpha-second', 'its second turn');
  const betaSend = await beta.call('POST', '/orchestrate/send/w1', { message: 'again' });
  t.match(betaSend, {
    status: 409,
    body: { code: 'WORKERS_NOT_RUNNING', error: 'Worker w1 is not running (stopped)' },
  });

  // Nothing beta got tells it about alpha's worker: no answer, error or event.
  const seen = JSON.stringify([betaSpawn.body, dismissed.body, betaSend.body, betaWs.received]);
  for (const secret of ['alpha', alphaIdle.sessionId, `"paneId":"${alphaIdle.paneId}"`])
    t.notOk(seen.includes(secret), `beta never saw ${secret}`);
  t.ok(betaWs.of('worker_result', 'w1').length >= 2, "beta's socket had its own w1's results");
});

/** Boot a fleet on a data dir, tmux socket and storage (the same ones again for a restart). */
async function boot(
  t: Test,
  dataDir: string,
  socket: string,
  options: { max?: number; storage?: TestFleet['storage']; oldSchema?: boolean } = {},
): Promise<TestFleet> {
  // The 0001 schema has no worker_quota table, which the usage-limit breaker reads at start (its
  // empty state is kept instead); everything else runs on that schema as the code before did.
  const old = options.oldSchema
    ? [
        {
          ...workers,
          migrations: { '0001_workers': workers.migrations!['0001_workers']! },
          start: async (ctx: Parameters<NonNullable<typeof workers.start>>[0], api: WorkersApi) => {
            api.quota.load = async () => undefined;
            return workers.start!(ctx, api);
          },
        },
      ]
    : undefined;
  return startFleet(t, {
    dataDir,
    extraPlugins: old,
    config: {
      server: { rateLimit: { max: 1_000_000 } },
      log: { level: 'warn' },
      ...(options.storage ? { storage: options.storage } : {}),
    },
    plugins: {
      auth: true,
      mail: true,
      tasks: true,
      workers: fakeAgentWorkers({ tmux: { socket, session: 'fleet' }, max: options.max ?? 10 }),
    },
  });
}

/** A data dir and a tmux socket that outlive one fleet, cleaned up when the test ends. */
function sharedPlace(t: Test, tag: string): { dataDir: string; socket: string } {
  const dataDir = tempDir(t, `fleet-${tag}-`);
  const socket = privateTmux(t, tag);
  t.teardown(() => {
    killWorkerProcesses(dataDir);
    killTmuxServer(socket);
  });
  return { dataDir, socket };
}

t.test('the same handle queued by two teams starts for both; both are re-adopted after a restart', async (t) => {
  const { dataDir, socket } = sharedPlace(t, 'teamq');
  const a = await boot(t, dataDir, socket, { max: 1 });
  let url = a.url;
  const alpha = leadOf(() => url, (await a.register('lead', 'alpha', 'team-lead')).token);
  const beta = leadOf(() => url, (await a.register('lead', 'beta', 'team-lead')).token);

  t.equal((await alpha.call('POST', '/orchestrate/spawn', { handle: 'busy', workingDir: dataDir })).status, 201);
  const alphaQueued = await alpha.call('POST', '/orchestrate/spawn', {
    handle: 'q1',
    workingDir: dataDir,
    initialPrompt: 'alpha-queued',
  });
  t.match(alphaQueued, { status: 202, body: { queued: true, position: 1, handle: 'q1' } });
  const betaQueued = await beta.call('POST', '/spawn-queue', {
    handle: 'q1',
    workingDir: dataDir,
    initialPrompt: 'beta-queued',
  });
  t.match(
    betaQueued,
    { status: 202, body: { handle: 'q1', status: 'queued', position: 2 } },
    "alpha's queued q1 does not stop beta's",
  );
  const again = await beta.call('POST', '/spawn-queue', { handle: 'q1', workingDir: dataDir });
  t.match(again, { status: 409, body: { code: 'WORKERS_ALREADY_QUEUED', error: 'Worker q1 is already queued' } });
  t.same(
    (await beta.call('GET', '/spawn-queue/status')).body.queued.map((item: any) => [item.handle, item.id]),
    [['q1', betaQueued.body.id]],
    'beta sees its own queued q1 only',
  );
  await a.kernel.stop();

  // Boot B with room for all: both queued q1 start, each its team's; busy is re-adopted.
  const busyHost = hostOf(join(dataDir, 'workers', 'alpha', 'busy'));
  const b = await boot(t, dataDir, socket, { max: 3, storage: a.storage });
  url = b.url;
  const alphaQ1 = await alpha.waitWorker('q1', (x) => x.state === 'idle', 'idle');
  const betaQ1 = await beta.waitWorker('q1', (x) => x.state === 'idle', 'idle');
  t.match(alphaQ1, { teamName: 'alpha', result: 'ack: alpha-queued' });
  t.match(betaQ1, { teamName: 'beta', result: 'ack: beta-queued' });
  t.match((await beta.call('GET', `/spawn-queue/${betaQueued.body.id}`)).body, { status: 'started' });
  t.match(await alpha.worker('busy'), { state: 'ready', restartCount: 0 }, 'busy was re-adopted, not restarted');
  t.equal(hostOf(join(dataDir, 'workers', 'alpha', 'busy')).hostPid, busyHost.hostPid);
  const hosts = {
    alpha: hostOf(join(dataDir, 'workers', 'alpha', 'q1')),
    beta: hostOf(join(dataDir, 'workers', 'beta', 'q1')),
  };
  await b.kernel.stop();

  // Boot C: both q1 are re-adopted (the same pane hosts), each reached through its own team.
  const c = await boot(t, dataDir, socket, { max: 3, storage: a.storage });
  url = c.url;
  t.equal((await beta.call('POST', '/orchestrate/send/q1', { message: 'beta-after' })).status, 200);
  await beta.waitWorker('q1', (x) => x.result === 'ack: beta-after' && x.state === 'idle', 'its second turn');
  t.match(await alpha.worker('q1'), { state: 'idle', result: 'ack: alpha-queued', numTurns: 1, restartCount: 0 });
  t.match(await beta.worker('q1'), { numTurns: 2, restartCount: 0 });
  t.equal(hostOf(join(dataDir, 'workers', 'alpha', 'q1')).hostPid, hosts.alpha.hostPid, "alpha's q1 re-adopted");
  t.equal(hostOf(join(dataDir, 'workers', 'beta', 'q1')).hostPid, hosts.beta.hostPid, "beta's q1 re-adopted");
  t.ok(running(hosts.alpha.hostPid) && running(hosts.beta.hostPid));
  t.equal(c.kernel.api<WorkersApi>('workers')!.options.max, 3);
  for (const lead of [alpha, beta]) t.equal((await lead.call('POST', '/orchestrate/dismiss/q1')).status, 200);
  t.equal((await alpha.call('POST', '/orchestrate/dismiss/busy')).status, 200);
  t.notOk(running(hosts.alpha.hostPid) || running(hosts.beta.hostPid), 'each dismiss ended its own');
});

t.test('a data dir of the schema before migrates: rows kept, its live worker re-adopted in its old dir', async (t) => {
  const { dataDir, socket } = sharedPlace(t, 'teammig');
  // Boot A with the workers plugin's migrations as they were before 0002.
  const a = await boot(t, dataDir, socket, { oldSchema: true });
  const api = a.kernel.api<WorkersApi>('workers')!;
  await api.manager.starting; // on port 0 the fleet's tmux session is made once the server listens
  const alpha = leadOf(() => a.url, (await a.register('lead', 'alpha', 'team-lead')).token);
  const applied = async (fleet: TestFleet) =>
    (await fleet.kernel.db.selectFrom('fleet_migrations_workers').select('name').orderBy('name').execute()).map(
      (row) => row.name as string,
    );
  t.same(await applied(a), ['0001_workers']);

  // What a fleet of the code before left: a live worker `legacy` running from <dataDir>/workers/legacy
  // (its pane host in a tmux window, its row with the handle as key), and a stopped one, `gone`.
  const legacyDir = join(dataDir, 'workers', 'legacy');
  mkdirSync(legacyDir, { recursive: true, mode: 0o700 });
  const sessionId = randomUUID();
  const request = {
    handle: 'legacy',
    teamName: 'alpha',
    adapter: 'claude',
    prompt: 'before-the-upgrade',
    cwd: dataDir,
  };
  const spec = buildSpawnSpec(
    {
      handle: 'legacy',
      teamName: 'alpha',
      dir: legacyDir,
      cwd: dataDir,
      adapter: 'claude',
      sessionId,
      resume: false,
      prompt: request.prompt,
      fleetUrl: a.url,
      token: (await a.register('legacy', 'alpha')).token,
      baseEnv: process.env,
    },
    api.options,
  );
  writeSpawnSpec(legacyDir, spec);
  const paneId = await api.tmux.newWindow('fleet', {
    name: 'legacy',
    cwd: dataDir,
    argv: [process.execPath, FLEET_BIN, 'pane', '--dir', legacyDir],
  });
  await api.tmux.setPaneTitle(paneId, 'worker:legacy');
  const goneDir = join(dataDir, 'workers', 'gone');
  mkdirSync(goneDir, { recursive: true, mode: 0o700 });
  writeFileSync(join(goneDir, 'output.log'), 'a line of the stopped worker\n');
  // A stopped worker of alpha whose handle is another team's name: its old dir is beta's team dir now.
  const betaNamedDir = join(dataDir, 'workers', 'beta');
  mkdirSync(betaNamedDir, { recursive: true, mode: 0o700 });
  writeFileSync(join(betaNamedDir, 'output.log'), '');
  const now = Date.now();
  // Rows of the 0001 schema: the columns later migrations add are not there yet.
  type LegacyRow = Omit<
    WorkerRow,
    | 'error'
    | 'prior_cost_usd'
    | 'prior_turns'
    | 'attention'
    | 'next_session'
    | 'base_cost_usd'
    | 'base_turns'
    | 'pause'
    | 'swarm_id'
  >;
  const row = (handle: string, change: Partial<LegacyRow>): LegacyRow => ({
    handle,
    team_name: 'alpha',
    adapter: 'claude',
    state: 'starting',
    health: 'healthy',
    session_id: sessionId,
    pane_id: null,
    dir: join(dataDir, 'workers', handle),
    cwd: dataDir,
    prompt: null,
    spec: JSON.stringify({ ...request, handle }),
    restart_count: 0,
    log_offset: 0,
    result_text: null,
    cost_usd: null,
    usage: null,
    num_turns: null,
    worktree_path: null,
    worktree_branch: null,
    spawned_by: 'lead',
    created_at: now,
    updated_at: now,
    ...change,
  });
  const rows = [
    row('legacy', { pane_id: paneId, prompt: request.prompt }),
    row('beta', { state: 'stopped', session_id: randomUUID() }),
    row('gone', {
      state: 'stopped',
      session_id: randomUUID(),
      log_offset: 29,
      result_text: 'its last result',
      cost_usd: 0.25,
      num_turns: 3,
    }),
  ];
  await a.kernel.db.insertInto('workers').values(rows).execute();
  await waitFor('the legacy pane host', () => existsSync(join(legacyDir, 'host.json')));
  const legacyHost = hostOf(legacyDir);
  await a.kernel.stop();

  // Boot B with every migration: 0002 re-keys the table and keeps every row as it was.
  const b = await boot(t, dataDir, socket, { storage: a.storage });
  t.same(await applied(b), [
    '0001_workers',
    '0002_team_scoped_handles',
    '0003_exits_and_totals',
    '0004_next_session',
    '0005_pause_and_quota',
    '0006_swarm_id',
    '0007_worktree_rescues',
  ]);
  const stored = await b.kernel.db.selectFrom('workers').selectAll().orderBy('handle').execute();
  t.same(
    stored.map((r) => [r.team_name, r.handle, r.dir, r.state === 'stopped' ? r.result_text : 'live']),
    [
      ['alpha', 'beta', betaNamedDir, null],
      ['alpha', 'gone', goneDir, 'its last result'],
      ['alpha', 'legacy', legacyDir, 'live'],
    ],
    'every row is kept, with its dir',
  );
  const alphaB = leadOf(() => b.url, alpha.token);
  const legacy = await alphaB.waitWorker('legacy', (x) => x.state === 'idle', 'idle, its log followed');
  t.match(legacy, { teamName: 'alpha', result: 'ack: before-the-upgrade', restartCount: 0, sessionId, paneId });
  t.equal(hostOf(legacyDir).hostPid, legacyHost.hostPid, 're-adopted where it runs, not restarted');
  t.match(await alphaB.worker('gone'), { state: 'stopped', result: 'its last result' });
  t.equal(
    tmuxSync(socket, ['show-options', '-wv', '-t', paneId, '@fleet_team']).trim(),
    'alpha',
    'its window now carries its team',
  );
  t.equal((await alphaB.call('POST', '/orchestrate/send/legacy', { message: 'after-the-upgrade' })).status, 200);
  await alphaB.waitWorker(
    'legacy',
    (x) => x.result === 'ack: after-the-upgrade' && x.state === 'idle',
    'a turn through the old dir',
  );

  // The handles are alpha's and beta's alike now.
  const beta = leadOf(() => b.url, (await b.register('lead', 'beta', 'team-lead')).token);
  for (const handle of ['legacy', 'gone']) {
    const spawned = await beta.call('POST', '/orchestrate/spawn', { handle, workingDir: dataDir, initialPrompt: 'b' });
    t.match(spawned, { status: 201, body: { handle, teamName: 'beta' } }, `beta spawns ${handle}`);
  }
  await beta.waitWorker('legacy', (x) => x.state === 'idle', 'idle');
  t.ok(existsSync(join(dataDir, 'workers', 'beta', 'legacy', 'host.json')), "beta's in the new layout");
  t.ok(running(legacyHost.hostPid) && running(legacyHost.agentPid), "alpha's legacy still runs");
  t.match(await alphaB.worker('legacy'), { state: 'idle', numTurns: 2 });

  // Alpha's stopped `gone` spawned again: its old dir is archived under the team, the new one is
  // in the new layout.
  t.equal((await alphaB.call('POST', '/orchestrate/spawn', { handle: 'gone', workingDir: dataDir })).status, 201);
  t.notOk(existsSync(goneDir), 'the old dir moved');
  const archive = join(dataDir, 'workers', 'alpha', '.archive');
  const archived = readdirSync(archive).filter((name) => name.startsWith('gone-'));
  t.equal(archived.length, 1);
  t.equal(readFileSync(join(archive, archived[0]!, 'output.log'), 'utf8'), 'a line of the stopped worker\n');
  t.ok(existsSync(join(dataDir, 'workers', 'alpha', 'gone')));

  // Alpha's stopped `beta` spawned again: its old dir is team beta's now, and stays where it is.
  const betaLegacyHost = hostOf(join(betaNamedDir, 'legacy'));
  t.equal((await alphaB.call('POST', '/orchestrate/spawn', { handle: 'beta', workingDir: dataDir })).status, 201);
  t.ok(existsSync(join(dataDir, 'workers', 'alpha', 'beta', 'spawn.json')), "alpha's beta in the new layout");
  t.ok(existsSync(join(betaNamedDir, 'legacy', 'host.json')), "beta's workers' dirs were not moved");
  t.ok(running(betaLegacyHost.hostPid), "beta's legacy still runs");
  t.equal((await beta.call('POST', '/orchestrate/send/legacy', { message: 'still-here' })).status, 200);
  await beta.waitWorker('legacy', (x) => x.result === 'ack: still-here', 'a turn after that');
  for (const lead of [alphaB, beta])
    for (const handle of ['legacy', 'gone'])
      t.equal((await lead.call('POST', `/orchestrate/dismiss/${handle}`)).status, 200);
  t.equal((await alphaB.call('POST', '/orchestrate/dismiss/beta')).status, 200);
  t.notOk(running(legacyHost.hostPid), 'dismissed through the new server');
});

t.test('worktrees: each team its own directory; a branch checked out by another team is a 409', async (t) => {
  process.env.FAKE_AGENT_STATE_DIR ??= tempDir(t, 'fleet-fake-state-');
  const repo = (name: string) => {
    const dir = join(tempDir(t, 'fleet-repo-'), name);
    mkdirSync(dir);
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@localhost', ...args], {
        cwd: dir,
        stdio: 'ignore',
      });
    git('-c', 'init.defaultBranch=main', 'init', '--quiet');
    writeFileSync(join(dir, 'README.md'), '# project\n');
    git('add', 'README.md');
    git('commit', '--quiet', '-m', 'initial');
    return dir;
  };
  const shared = repo('shared');
  const w = await startWorkerFleet(t);
  const alpha = leadOf(() => w.fleet.url, w.lead);
  const beta = leadOf(() => w.fleet.url, (await w.fleet.register('lead', 'beta', 'team-lead')).token);
  const spawn = (lead: typeof alpha, workingDir: string) =>
    lead.call('POST', '/orchestrate/spawn', { handle: 'tree', workingDir, worktree: true });

  const ours = await spawn(alpha, shared);
  t.equal(ours.status, 201, JSON.stringify(ours.body));
  t.same(ours.body.worktree, { path: join(w.fleet.dataDir, 'worktrees', 'alpha', 'tree'), branch: 'fleet/tree' });
  const clash = await spawn(beta, shared);
  t.same(
    clash.body,
    {
      error: 'worktree: branch fleet/tree is checked out in another worktree of this repository',
      code: 'WORKERS_BRANCH_IN_USE',
      field: 'worktree',
    },
    'a 409 naming the branch only, not a 500',
  );
  t.equal(clash.status, 409);
  t.same(await beta.list(), [], 'and nothing was left behind');
  const theirs = await spawn(beta, repo('elsewhere'));
  t.equal(theirs.status, 201, JSON.stringify(theirs.body));
  t.same(theirs.body.worktree, { path: join(w.fleet.dataDir, 'worktrees', 'beta', 'tree'), branch: 'fleet/tree' });
  for (const lead of [alpha, beta]) t.equal((await lead.call('POST', '/orchestrate/dismiss/tree')).status, 200);
});

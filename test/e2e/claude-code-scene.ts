/**
 * The scene of the real Claude Code end-to-end test, run by test/e2e/claude-code.test.ts as a
 * child process (inside `unshare -rn` when it can), never by tap directly. Everything lives in
 * this one process tree: the scripted model API, the fleet server, a private tmux server and the
 * real `claude` worker it spawns. This process's environment is the scene's own (HOME, TMPDIR,
 * ANTHROPIC_* and the no-traffic switches), which the fleet hands to its workers.
 *
 * Env: CLAUDE_CODE_BIN (the claude binary), FLEET_E2E_MODE (netns | loopback).
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { startFleet, type TestFleet, waitFor } from '../kit/index.js';
import {
  type MessagesRequest,
  promptsOf,
  startModelApi,
  systemOf,
  text,
  toolResultsOf,
  toolResultText,
  toolUse,
} from '../fixtures/model-api/server.js';

const CLAUDE_BIN = process.env.CLAUDE_CODE_BIN;
const MODE = process.env.FLEET_E2E_MODE ?? 'loopback';
if (!CLAUDE_BIN) throw new Error('CLAUDE_CODE_BIN is not set: run this through test/e2e/claude-code.test.ts');

const TEAM = 'e2e';
const WORKER = 'coder';
const TASK_SUBJECT = 'E2E: a task created by the real Claude Code';
const FIRST_PROMPT = 'FIRST: record the e2e task in the fleet.';
const SECOND_PROMPT = 'SECOND: report back.';
const FIRST_RESULT = 'Created the e2e task in the fleet.';
const SECOND_RESULT = 'Second turn done.';
const RESTART_RESULT = 'Resumed after the restart.';
const THIRD_PROMPT = 'THIRD: still there after the restart?';
const FAKE_KEY = 'sk-ant-fake-e2e-not-a-real-key-0000000000';

/** Run a program (no shell) and return its stdout, or undefined when it fails. */
function run(file: string, args: string[]): Promise<string | undefined> {
  return new Promise((resolveRun) =>
    execFile(file, args, { timeout: 15_000 }, (error, stdout) => resolveRun(error ? undefined : String(stdout))),
  );
}

/** Poll every 200 ms until `check` returns a value (not undefined/false), or fail at the deadline. */
const until = <T>(
  what: string,
  timeoutMs: number,
  check: () => Promise<T | undefined | false> | T | undefined | false,
) => waitFor(what, check, timeoutMs, 200);

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A zombie is not running, but it is still left behind: count it as alive.
  return true;
};

/** A process's state letter and command line, e.g. `Z node …` for a zombie. */
function procState(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
    return `${state} ${command}`;
  } catch {
    return 'gone';
  }
}

/** The parent pid of a process. */
function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/** Processes whose process group is `pgid`, with their state and command line. */
function processGroup(pgid: number): string[] {
  const members: string[] = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) === pgid)
        members.push(`${pid} ${procState(pid)}`);
    } catch {
      // gone
    }
  }
  return members;
}

/** Pids (other than ours) whose environment holds every one of `entries`. */
function processesWithEnv(entries: string[]): { pid: number; cmd: string }[] {
  const found: { pid: number; cmd: string }[] = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    // This process and its own helpers (tsx's esbuild service) are not the scene's leftovers.
    if (!Number.isInteger(pid) || pid === process.pid || parentOf(pid) === process.pid) continue;
    try {
      const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      if (entries.every((entry) => env.includes(entry)))
        found.push({ pid, cmd: readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim() });
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

/** Whether a TCP connection to a public address fails at once (no route out of this namespace). */
function outsideUnreachable(): Promise<string> {
  return new Promise((resolveProbe) => {
    const socket = connect({ host: '1.1.1.1', port: 443, timeout: 3000 });
    socket.once('connect', () => {
      socket.destroy();
      resolveProbe('connected');
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolveProbe('timeout');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolveProbe(error.code ?? error.message));
  });
}

// ---------------------------------------------------------------------------------------------
// The scene's own environment: a fresh HOME and TMPDIR, the scripted model, no outside traffic.

if (MODE === 'netns') {
  // A new network namespace has only loopback, and it starts DOWN.
  execFileSync('ip', ['link', 'set', 'lo', 'up']);
}
const root = mkdtempSync(join(tmpdir(), 'fleet-e2e-cc-'));
const home = join(root, 'home');
const work = join(root, 'work');
const scratch = join(root, 'tmp');
for (const dir of [home, work, scratch]) mkdirSync(dir, { recursive: true, mode: 0o700 });
const tmuxSocket = `fleet-e2e-cc-${process.pid}-${Date.now().toString(36)}`;
const tmuxSocketFile = join(process.env.TMUX_TMPDIR || '/tmp', `tmux-${process.getuid!()}`, tmuxSocket);

const savedEnv = { ...process.env };
t.teardown(() => rmSync(root, { recursive: true, force: true }));
t.teardown(() => {
  for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
  Object.assign(process.env, savedEnv);
});

const NETWORK_MODE =
  MODE === 'netns'
    ? 'private network namespace (unshare -rn), loopback only'
    : 'plain loopback with the non-essential-traffic switches (unshare -rn unavailable)';
t.comment(`network mode: ${NETWORK_MODE}`);
t.comment(`claude: ${CLAUDE_BIN}`);

t.test('Claude Code as a fleet worker, against the scripted model API', async (t) => {
  if (MODE === 'netns') t.not(await outsideUnreachable(), 'connected', 'nothing outside the namespace is reachable');

  // The scripted model: call the fleet's create_task tool, then report; answer the second prompt.
  const api = await startModelApi({
    script: (request: MessagesRequest) => {
      // Side requests (no fleet system prompt, no tools) get a harmless answer.
      if (!systemOf(request).includes('Claude Fleet')) return text('ok', 'side');
      const last = request.messages.at(-1);
      const results = toolResultsOf(last);
      if (results.length > 0) {
        const failed = results.find((block) => block.is_error);
        return failed
          ? text(`TOOL FAILED: ${toolResultText(failed)}`, 'after-tool-error')
          : text(FIRST_RESULT, 'after-tool');
      }
      const prompt = promptsOf(request).at(-1) ?? '';
      if (prompt.includes('You were restarted')) return text('Doing the task again.', 'told-to-redo');
      if (prompt.includes('THIRD')) return text(RESTART_RESULT, 'restarted');
      if (prompt.includes('SECOND')) return text(SECOND_RESULT, 'second');
      if (prompt.includes('FIRST'))
        return toolUse(
          'mcp__fleet__create_task',
          { subject: TASK_SUBJECT, description: 'made through mcp__fleet__create_task' },
          'first',
          'Recording the task.',
        );
      return text(`unexpected prompt: ${prompt.slice(0, 200)}`, 'unexpected');
    },
  });
  t.teardown(() => api.close());

  Object.assign(process.env, {
    HOME: home,
    TMPDIR: scratch,
    ANTHROPIC_BASE_URL: api.url,
    ANTHROPIC_API_KEY: FAKE_KEY,
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_AUTOUPDATER: '1',
    DISABLE_ERROR_REPORTING: '1',
    IS_SANDBOX: '1',
  });
  // Nothing of a real account, a proxy or an outer tmux may reach the worker.
  for (const key of [
    'ANTHROPIC_AUTH_TOKEN',
    'CLAUDE_CODE_OAUTH_TOKEN',
    'CLAUDE_CODE_USE_BEDROCK',
    'CLAUDE_CODE_USE_VERTEX',
    'ANTHROPIC_MODEL',
    'HTTP_PROXY',
    'HTTPS_PROXY',
    'ALL_PROXY',
    'http_proxy',
    'https_proxy',
    'all_proxy',
    'TMUX',
    'TMUX_PANE',
  ])
    delete process.env[key];
  process.env.NO_PROXY = process.env.no_proxy = '127.0.0.1,localhost';

  const tmux = (...args: string[]) => run('tmux', ['-L', tmuxSocket, ...args]);
  t.teardown(async () => {
    await tmux('kill-server');
    rmSync(tmuxSocketFile, { force: true });
  });

  const fleet: TestFleet = await startFleet(t, {
    plugins: {
      auth: true,
      mail: true,
      tasks: true,
      workers: { claude: { command: [CLAUDE_BIN] }, heartbeatSeconds: 1, tmux: { socket: tmuxSocket, session: 'e2e' } },
    },
  });
  const states: string[] = [];
  fleet.kernel.spine.subscribe('*', (event) => {
    const data = event.data as { handle?: string; state?: string };
    if (event.type === 'worker_state' && data.handle === WORKER && data.state) states.push(data.state);
  });
  const lead = await fleet.register('lead', TEAM, 'team-lead');
  const workers = async () =>
    ((await fleet.request('GET', '/orchestrate/workers', { token: lead.token })).body as any[]).find(
      (worker) => worker.handle === WORKER,
    );
  const workerDir = join(fleet.dataDir, 'workers', TEAM, WORKER);

  const dump = async () => {
    for (const file of ['output.log', 'stderr.log']) {
      const path = join(workerDir, file);
      if (existsSync(path)) t.comment(`${file}:\n${readFileSync(path, 'utf8').slice(-6000)}`);
    }
    t.comment(
      `model API requests: ${JSON.stringify(api.requests.map((entry) => ({ path: entry.path, label: entry.label })))}`,
    );
    t.comment(`fleet log tail:\n${fleet.logs.slice(-40).join('\n')}`);
  };

  try {
    // Spawn: the fleet runs `claude -p … --session-id <uuid>` in a tmux window on our socket.
    const spawned = await fleet.request('POST', '/orchestrate/spawn', {
      token: lead.token,
      body: { handle: WORKER, initialPrompt: FIRST_PROMPT, workingDir: work },
    });
    t.equal(spawned.status, 201, 'spawn answers 201');
    const spec = JSON.parse(readFileSync(join(workerDir, 'spawn.json'), 'utf8')) as { argv: string[] };
    t.equal(spec.argv[0], CLAUDE_BIN, 'the pane host runs the real claude binary');
    const passedSessionId = spec.argv[spec.argv.indexOf('--session-id') + 1];
    t.match(passedSessionId, /^[0-9a-f-]{36}$/, 'the fleet passed a session id');

    // Ready, with the session id Claude Code reported in its init line.
    const first = await until('the first turn to finish', 90_000, async () => {
      const worker = await workers();
      return worker?.state === 'idle' && worker.result ? worker : undefined;
    });
    t.same(states, ['ready', 'working', 'idle'], `starting → ready → working → idle (seen: ${states.join(' → ')})`);
    t.equal(first.sessionId, passedSessionId, 'the worker’s session id is the one passed with --session-id');
    const output = await fleet.request('GET', `/orchestrate/output/${WORKER}?cursor=0&limit=1000`, {
      token: lead.token,
    });
    const lines = (output.body.lines as { line?: string; text?: string }[])
      .map((line) => JSON.parse(line.line ?? line.text ?? 'null') as Record<string, any> | null)
      .filter(Boolean) as Record<string, any>[];
    const init = lines.find((line) => line.type === 'system' && line.subtype === 'init');
    t.equal(init?.session_id, passedSessionId, 'Claude Code’s init line carries that session id');
    t.equal(init?.claude_code_version, '2.1.330', 'it is the pinned Claude Code');
    t.same(
      init?.mcp_servers,
      [{ name: 'fleet', status: 'connected', source: 'dynamic' }],
      'the fleet MCP server (from --mcp-config) is connected',
    );
    t.equal(init?.apiKeySource, 'ANTHROPIC_API_KEY', 'it uses the fake key from the fleet’s environment');
    const calls = api.messages();
    t.ok(calls.length >= 2, `the model API was called (${calls.length} requests)`);
    t.ok(
      calls.every(
        (entry) =>
          entry.headers['x-claude-code-session-id'] === passedSessionId && entry.headers['x-api-key'] === FAKE_KEY,
      ),
      'every model request carries the fake key and the session id',
    );
    t.same(
      api.requests.filter((entry) => !entry.path.startsWith('/v1/messages')),
      [],
      'Claude Code called nothing else on the API',
    );

    // The scripted model called mcp__fleet__create_task: the fleet's state changed.
    const afterTool = api
      .messages()
      .find((entry) => entry.label === 'after-tool' || entry.label === 'after-tool-error');
    t.equal(afterTool?.label, 'after-tool', 'the fleet tool ran without error (allowed by --allowedTools mcp__fleet)');
    const tasks = await fleet.request('GET', `/teams/${TEAM}/tasks`, { token: lead.token });
    const list = (Array.isArray(tasks.body) ? tasks.body : (tasks.body.tasks ?? tasks.body.items)) as {
      subject: string;
      createdByHandle: string;
    }[];
    const task = list.find((item) => item.subject === TASK_SUBJECT);
    t.ok(task, 'the task the model created through the fleet MCP tool is in the fleet');
    t.equal(task?.createdByHandle, WORKER, 'created by the worker itself');
    const toolUseLine = lines.find(
      (line) =>
        line.type === 'assistant' &&
        line.message?.content?.some(
          (block: any) => block.type === 'tool_use' && block.name === 'mcp__fleet__create_task',
        ),
    );
    t.ok(toolUseLine, 'the worker’s log shows the tool call');

    // Result text and cost on the worker.
    t.equal(first.result, FIRST_RESULT, 'the result text is recorded');
    t.ok(typeof first.costUsd === 'number' && first.costUsd > 0, `the cost is recorded (${first.costUsd} USD)`);
    t.equal(first.numTurns, 2, 'two model turns (tool call, then text)');
    t.ok(first.usage && typeof first.usage.input_tokens === 'number', 'usage is recorded');

    // Send starts a second turn.
    const promptsBefore = api.messages().length;
    const sent = await fleet.request('POST', `/orchestrate/send/${WORKER}`, {
      token: lead.token,
      body: { message: SECOND_PROMPT },
    });
    t.equal(sent.status, 200, 'send answers 200');
    const second = await until('the second turn to finish', 90_000, async () => {
      const worker = await workers();
      return worker?.state === 'idle' && worker.result === SECOND_RESULT ? worker : undefined;
    });
    const secondRequest = api
      .messages()
      .slice(promptsBefore)
      .find((entry) => entry.label === 'second');
    t.ok(secondRequest, 'the model API saw the second user message');
    const prompts = promptsOf(secondRequest!.body as MessagesRequest);
    t.ok(
      prompts.length >= 2 &&
        prompts.at(-1)!.includes(SECOND_PROMPT) &&
        prompts.some((prompt) => prompt.includes(FIRST_PROMPT)),
      'in the same conversation as the first',
    );
    t.equal(second.numTurns, 1, 'numTurns changed');
    t.ok(
      second.costUsd > first.costUsd,
      `the cost grew (cumulative per session: ${first.costUsd} → ${second.costUsd})`,
    );
    t.equal(second.sessionId, passedSessionId, 'same session');

    // The pane shows a readable transcript of it all.
    const pane = (await tmux('capture-pane', '-p', '-J', '-S', '-', '-t', second.paneId)) ?? '';
    for (const expected of [
      `● session ${passedSessionId}`,
      '→ mcp__fleet__create_task',
      FIRST_RESULT,
      `› ${SECOND_PROMPT}`,
      SECOND_RESULT,
      '■ done',
    ]) {
      t.ok(pane.includes(expected), `the pane's transcript shows ${JSON.stringify(expected)}`);
    }

    // The agent dies idle, its task done: the fleet restarts it with --resume and the same session,
    // history intact, and does not send it its finished task again (that ran the task twice).
    const firstHost = JSON.parse(readFileSync(join(workerDir, 'host.json'), 'utf8')) as {
      hostPid: number;
      agentPid: number;
    };
    const beforeRestart = api.messages().length;
    process.kill(firstHost.agentPid, 'SIGKILL');
    await until('the worker to be restarted and waiting', 90_000, async () => {
      const worker = await workers();
      return worker?.restartCount === 1 && worker.state === 'ready' ? worker : undefined;
    });
    // Claude Code is up and idle once it answers input; a model request before that would be a re-run.
    t.same(
      api
        .messages()
        .slice(beforeRestart)
        .filter((entry) => entry.label !== 'side')
        .map((entry) => entry.label),
      [],
      'the restarted agent was not asked to do its finished task again',
    );
    const third = await fleet.request('POST', `/orchestrate/send/${WORKER}`, {
      token: lead.token,
      body: { message: THIRD_PROMPT },
    });
    t.equal(third.status, 200, 'the restarted worker takes input');
    const resumed = await until('the restarted worker to answer', 90_000, async () => {
      const worker = await workers();
      return worker?.state === 'idle' && worker.result === RESTART_RESULT ? worker : undefined;
    });
    t.notOk(
      api
        .messages()
        .slice(beforeRestart)
        .some((entry) => entry.label === 'told-to-redo'),
      'no "You were restarted" turn',
    );
    t.equal(resumed.restartCount, 1, 'restarted once');
    t.equal(resumed.sessionId, passedSessionId, 'the same session after the restart');
    const respec = JSON.parse(readFileSync(join(workerDir, 'spawn.json'), 'utf8')) as { argv: string[] };
    t.equal(respec.argv[respec.argv.indexOf('--resume') + 1], passedSessionId, 'restarted with --resume <session>');
    t.notOk(respec.argv.includes('--session-id'), 'and without --session-id');
    const restartRequest = api
      .messages()
      .slice(beforeRestart)
      .find((entry) => entry.label === 'restarted');
    const history = restartRequest ? promptsOf(restartRequest.body as MessagesRequest) : [];
    t.ok(
      history.some((prompt) => prompt.includes(FIRST_PROMPT)) &&
        history.some((prompt) => prompt.includes(SECOND_PROMPT)),
      'the resumed conversation holds both earlier prompts',
    );

    // Dismiss leaves nothing behind.
    const host = JSON.parse(readFileSync(join(workerDir, 'host.json'), 'utf8')) as {
      hostPid: number;
      agentPid: number;
    };
    const workerEnv = [`CLAUDE_CODE_AGENT_NAME=${WORKER}`, `FLEET_URL=${fleet.url}`];
    const before = processesWithEnv(workerEnv);
    t.ok(
      before.some((proc) => proc.pid === host.agentPid),
      'claude runs as the pane host’s agent',
    );
    t.ok(
      before.some((proc) => /\bmcp\b/.test(proc.cmd)),
      'with its fleet mcp server',
    );
    const started = Date.now();
    const dismissed = await fleet.request('POST', `/orchestrate/dismiss/${WORKER}`, { token: lead.token });
    t.equal(dismissed.status, 200, 'dismiss answers 200');
    t.ok(Date.now() - started < 10_000, `within 10 s (${Date.now() - started} ms)`);
    t.equal(dismissed.body.state, 'stopped', 'the worker is stopped');
    const leftover = () => ({
      agent: alive(host.agentPid) ? procState(host.agentPid) : 'gone',
      paneHost: alive(host.hostPid)
        ? `${procState(host.hostPid)} (parent ${parentOf(host.hostPid)}: ${procState(parentOf(host.hostPid) ?? 0)})`
        : 'gone',
      withWorkerEnv: processesWithEnv(workerEnv),
    });
    const gone = await until('claude, its children and the pane host to be gone', 10_000, () => {
      const now = leftover();
      return now.agent === 'gone' && now.paneHost === 'gone' && now.withWorkerEnv.length === 0 ? now : undefined;
    }).catch(() => undefined);
    t.ok(gone, `no claude process, no MCP server, no pane host left${gone ? '' : `: ${JSON.stringify(leftover())}`}`);
    const group = await until('the agent’s process group to be empty', 10_000, () =>
      processGroup(host.agentPid).length === 0 ? [] : undefined,
    ).catch(() => processGroup(host.agentPid));
    t.same(group, [], 'the agent’s process group is empty (no zombie left either)');
    const windows = (await tmux('list-windows', '-t', '=e2e', '-F', '#{window_name}')) ?? '';
    t.notOk(
      windows.split('\n').includes(WORKER),
      `the worker's window is gone (windows: ${windows.trim().split('\n').join(', ')})`,
    );
    t.equal((await workers())?.state, 'stopped', 'listed as stopped');
  } catch (error) {
    await dump();
    throw error;
  }
  if (t.passing() === false) await dump();
});

t.test('the scene leaves nothing behind', async (t) => {
  // Subtests' teardowns ran: the fleet stopped, the tmux server killed, the model API closed.
  // tmux's kill-server hangs up the board pane: give its process tree a moment to exit.
  const left = await until('the scene’s processes to exit', 10_000, () =>
    processesWithEnv([`HOME=${home}`]).length === 0 ? [] : undefined,
  ).catch(() =>
    processesWithEnv([`HOME=${home}`]).map((proc) => ({
      ...proc,
      state: procState(proc.pid),
      parent: parentOf(proc.pid),
    })),
  );
  t.same(left, [], 'no process of the scene is left');
  t.notOk(existsSync(tmuxSocketFile), 'the tmux socket file is removed');
  rmSync(root, { recursive: true, force: true });
  t.notOk(existsSync(root), 'the scene’s HOME, TMPDIR and work dir are removed');
});

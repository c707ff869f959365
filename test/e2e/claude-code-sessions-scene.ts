/**
 * The scene of the sessions end-to-end test with the real Claude Code, run by
 * test/e2e/claude-code-sessions.test.ts as a child process (inside `unshare -rn` when it can). A real
 * `claude` worker runs two turns against the scripted model API; the accounting equals what the CLI
 * reported (its modelUsage and total_cost_usd, cumulative per session); a trim asks the worker for a
 * checkpoint, which the model writes with the fleet's checkpoint_create tool; the worker continues in
 * a fresh Claude session (a new --session-id, a fresh conversation) whose first prompt holds that
 * checkpoint; the lineage shows both sessions, each with the tokens the CLI reported for it.
 *
 * Env: CLAUDE_CODE_BIN (the claude binary), FLEET_E2E_MODE (netns | loopback).
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import type { SessionsApi } from '../../plugins/sessions/index.js';
import { startFleet, type TestFleet, waitFor } from '../kit/index.js';
import {
  type MessagesRequest,
  promptsOf,
  startModelApi,
  systemOf,
  text,
  toolResultsOf,
  toolUse,
} from '../fixtures/model-api/server.js';

const CLAUDE_BIN = process.env.CLAUDE_CODE_BIN;
const MODE = process.env.FLEET_E2E_MODE ?? 'loopback';
if (!CLAUDE_BIN) throw new Error('CLAUDE_CODE_BIN is not set: run this through test/e2e/claude-code-sessions.test.ts');

const TEAM = 'e2e';
const WORKER = 'coder';
const FAKE_KEY = 'sk-ant-fake-e2e-not-a-real-key-0000000000';
const GOAL = 'E2E goal: ship the session lineage';
const CONTINUED = 'Continuing from the checkpoint.';

function run(file: string, args: string[]): Promise<string | undefined> {
  return new Promise((resolveRun) =>
    execFile(file, args, { timeout: 15_000 }, (error, stdout) => resolveRun(error ? undefined : String(stdout))),
  );
}

const until = <T>(what: string, timeoutMs: number, check: () => Promise<T | undefined | false>) =>
  waitFor(what, check, timeoutMs, 200);

type Figures = { input: number; output: number; cacheRead: number; cacheWrite: number; costUsd: number };

/** What the CLI reported for each session: its last result's modelUsage summed over models, and its total cost. */
function reportedBySession(log: string): Map<string, Figures> {
  const last = new Map<string, Record<string, any>>();
  for (const line of readFileSync(log, 'utf8').split('\n')) {
    if (!line.startsWith('{') || !line.includes('"type":"result"')) continue;
    const result = JSON.parse(line);
    if (result.type === 'result') last.set(result.session_id, result);
  }
  const figures = new Map<string, Figures>();
  for (const [session, result] of last) {
    const sum = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, costUsd: result.total_cost_usd as number };
    for (const usage of Object.values<any>(result.modelUsage ?? {})) {
      sum.input += usage.inputTokens ?? 0;
      sum.output += usage.outputTokens ?? 0;
      sum.cacheRead += usage.cacheReadInputTokens ?? 0;
      sum.cacheWrite += usage.cacheCreationInputTokens ?? 0;
    }
    figures.set(session, sum);
  }
  return figures;
}

if (MODE === 'netns') execFileSync('ip', ['link', 'set', 'lo', 'up']);
const root = mkdtempSync(join(tmpdir(), 'fleet-e2e-sessions-'));
const home = join(root, 'home');
const work = join(root, 'work');
const scratch = join(root, 'tmp');
for (const dir of [home, work, scratch]) mkdirSync(dir, { recursive: true, mode: 0o700 });
const tmuxSocket = `fleet-e2e-sessions-${process.pid}-${Date.now().toString(36)}`;
const tmuxSocketFile = join(process.env.TMUX_TMPDIR || '/tmp', `tmux-${process.getuid!()}`, tmuxSocket);
const savedEnv = { ...process.env };
t.teardown(() => rmSync(root, { recursive: true, force: true }));
t.teardown(() => {
  for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
  Object.assign(process.env, savedEnv);
});
t.comment(`network mode: ${MODE}; claude: ${CLAUDE_BIN}`);

t.test('trim and continue a real Claude Code worker; its tokens are the CLI’s', async (t) => {
  const api = await startModelApi({
    script: (request: MessagesRequest) => {
      if (!systemOf(request).includes('Claude Fleet')) return text('ok', 'side');
      const prompts = promptsOf(request);
      const prompt = prompts.at(-1) ?? '';
      if (toolResultsOf(request.messages.at(-1)).length > 0)
        return { ...text('Checkpoint saved.', 'after-checkpoint'), usage: { input_tokens: 2200, output_tokens: 9 } };
      if (prompt.includes('You continue in a fresh session'))
        return { ...text(CONTINUED, 'continued'), usage: { input_tokens: 1500, output_tokens: 12 } };
      if (prompt.includes('checkpoint_create'))
        return toolUse(
          'mcp__fleet__checkpoint_create',
          { goal: GOAL, now: 'two turns done', next: ['continue in a fresh session'] },
          'checkpoint',
        );
      if (prompt.includes('WORK'))
        return { ...text(`Done: ${prompt}`, 'work'), usage: { input_tokens: 2000, output_tokens: 30 } };
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
  t.teardown(async () => {
    await run('tmux', ['-L', tmuxSocket, 'kill-server']);
    rmSync(tmuxSocketFile, { force: true });
  });

  const fleet: TestFleet = await startFleet(t, {
    plugins: {
      auth: true,
      mail: true,
      tasks: true,
      checkpoints: true,
      sessions: true,
      workers: { claude: { command: [CLAUDE_BIN] }, heartbeatSeconds: 1, tmux: { socket: tmuxSocket, session: 'e2e' } },
    },
  });
  const sessions = fleet.kernel.api<SessionsApi>('sessions')!;
  const lead = await fleet.register('lead', TEAM, 'team-lead');
  const call = (method: string, path: string, body?: unknown) =>
    fleet.request(method, path, { token: lead.token, body });
  const worker = async () =>
    ((await call('GET', '/orchestrate/workers')).body as any[]).find((entry) => entry.handle === WORKER);
  const workerDir = join(fleet.dataDir, 'workers', TEAM, WORKER);
  const dump = () => {
    for (const file of ['output.log', 'stderr.log']) {
      const path = join(workerDir, file);
      if (existsSync(path)) t.comment(`${file}:\n${readFileSync(path, 'utf8').slice(-6000)}`);
    }
    t.comment(`model API: ${JSON.stringify(api.messages().map((entry) => entry.label))}`);
    t.comment(`fleet log tail:\n${fleet.logs.slice(-40).join('\n')}`);
  };

  try {
    const spawned = await call('POST', '/orchestrate/spawn', {
      handle: WORKER,
      initialPrompt: 'WORK: the first turn',
      workingDir: work,
    });
    t.equal(spawned.status, 201, 'spawn answers 201');
    const first = spawned.body.sessionId as string;
    await until(
      'the first turn',
      90_000,
      async () => (await worker())?.numTurns === 1 && (await worker()).state === 'idle',
    );
    t.equal((await call('POST', `/orchestrate/send/${WORKER}`, { message: 'WORK: the second turn' })).status, 200);
    await until('the second turn', 90_000, async () => {
      const seen = await worker();
      return seen?.state === 'idle' && seen.result === 'Done: WORK: the second turn';
    });
    await sessions.settled();

    // The accounting equals what the CLI reported for the session (cumulative over both turns).
    const log = join(workerDir, 'output.log');
    const [root] = (await call('GET', `/sessions/worker/${WORKER}`)).body.sessions;
    const cli = reportedBySession(log).get(first)!;
    t.ok(cli && cli.input > 0, `the CLI reported tokens (${JSON.stringify(cli)})`);
    t.match(
      root,
      {
        agentSessionId: first,
        results: 2,
        inputTokens: cli.input,
        outputTokens: cli.output,
        cacheReadTokens: cli.cacheRead,
        cacheWriteTokens: cli.cacheWrite,
      },
      'the session’s tokens are the CLI’s, by kind',
    );
    t.equal(
      Math.round(root.costUsd * 1e9),
      Math.round(cli.costUsd * 1e9),
      `its cost is the CLI’s (${cli.costUsd} USD)`,
    );
    t.ok(root.contextTokens > 0, `the context size is known (${root.contextTokens} tokens)`);

    // Trim and continue: the model writes the checkpoint with the fleet's tool, the worker goes on in
    // a fresh session seeded with it.
    const trimmed = await call('POST', `/sessions/${root.id}/trim`, { continue: true, deadlineSeconds: 90 });
    t.equal(trimmed.status, 200, `trim answers 200 (${JSON.stringify(trimmed.body).slice(0, 300)})`);
    t.match(trimmed.body, {
      session: { id: root.id, endReason: 'trimmed' },
      checkpoint: { source: 'worker', checkpoint: { goal: GOAL } },
      continued: { parentId: root.id, derivation: 'continued' },
    });
    const child = trimmed.body.continued;
    t.not(child.agentSessionId, first, 'a new Claude session');
    const continued = await until('the continued session’s first turn', 90_000, async () => {
      const seen = await worker();
      return seen?.state === 'idle' && seen.result === CONTINUED ? seen : undefined;
    });
    t.equal(continued.sessionId, child.agentSessionId, 'the worker runs in it');
    const spec = JSON.parse(readFileSync(join(workerDir, 'spawn.json'), 'utf8')) as { argv: string[] };
    t.equal(spec.argv[spec.argv.indexOf('--session-id') + 1], child.agentSessionId, 'launched with --session-id <new>');
    const request = api.messages().find((entry) => entry.label === 'continued')!;
    t.equal(request.headers['x-claude-code-session-id'], child.agentSessionId, 'the model sees the new session');
    const prompts = promptsOf(request.body as MessagesRequest);
    t.match(prompts[0], /You continue in a fresh session/, 'the new session’s first prompt is the seed');
    t.match(prompts[0], new RegExp(`Goal: ${GOAL}`), 'with the checkpoint the worker wrote');
    t.notOk(
      prompts.some((prompt) => prompt.includes('WORK: the first turn')),
      'and a fresh context: nothing of the old conversation',
    );

    // The lineage shows both, each with the tokens the CLI reported for it.
    await sessions.settled();
    const lineage = (await call('GET', `/sessions/${child.id}/lineage`)).body;
    t.same(
      lineage.sessions.map((s: any) => [s.agentSessionId, s.parentId]),
      [
        [first, null],
        [child.agentSessionId, root.id],
      ],
      'the lineage: the trimmed session, then the one it continued in',
    );
    const reported = reportedBySession(log);
    for (const session of lineage.sessions) {
      const figures = reported.get(session.agentSessionId)!;
      t.match(
        session,
        { inputTokens: figures.input, outputTokens: figures.output, cacheReadTokens: figures.cacheRead },
        `session ${session.agentSessionId}: the CLI's tokens`,
      );
      t.equal(Math.round(session.costUsd * 1e9), Math.round(figures.costUsd * 1e9), 'and its cost');
    }
    const sum = (pick: (figures: Figures) => number) => [...reported.values()].reduce((n, f) => n + pick(f), 0);
    t.match(lineage.total, { inputTokens: sum((f) => f.input), outputTokens: sum((f) => f.output) }, 'the total');
    const bySession = (await call('GET', '/costs?by=session')).body;
    t.equal(
      bySession.total.inputTokens,
      sum((f) => f.input),
      'GET /costs says the same',
    );
  } catch (error) {
    dump();
    throw error;
  }
  if (t.passing() === false) dump();
});

/** Pids (not this process or its own helpers) whose environment holds `entry`. */
function processesWithEnv(entry: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const parent = Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
      if (parent === process.pid) continue;
      if (readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(entry)) found.push(pid);
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

t.test('the scene leaves nothing behind', async (t) => {
  // The fleet, the tmux server and the model API were stopped by the first test's teardowns.
  const left = await until('the scene’s processes to exit', 10_000, async () =>
    processesWithEnv(`HOME=${home}`).length === 0 ? [] : undefined,
  ).catch(() => processesWithEnv(`HOME=${home}`));
  t.same(left, [], 'no process of the scene is left (old and new claude sessions, MCP servers, pane hosts)');
  t.notOk(existsSync(tmuxSocketFile), 'the tmux socket file is removed');
});

/**
 * The scene of the usage-limit end-to-end test with the real Claude Code, run by
 * test/e2e/claude-code-quota.test.ts as a child process (inside `unshare -rn` when it can).
 *
 * The real `claude` CLI takes the usage-limit path only for a claude.ai login or an inference gateway
 * (plugins/workers/usage-limits.md): the fleet's workers get ANTHROPIC_AUTH_TOKEN, an unsigned JWT whose
 * audience is claude-gateway, and the scripted model API as ANTHROPIC_BASE_URL. The worker's first model
 * request is answered 429 with the unified rate-limit headers: five-hour window rejected, reset a few
 * seconds ahead. The fleet parks the worker (paused, reason quota, resetsAt from the header), trips the
 * breaker (GET /orchestrate/quota limited, a spawn meanwhile is queued 202), and after the reset resumes
 * the worker by itself with --resume of the same session, in the permission mode the config says; the
 * model's next request carries the earlier conversation, the turn ends with the scripted reply, and the
 * queued spawn starts. The reset → resume latency is printed.
 *
 * Env: CLAUDE_CODE_BIN (the claude binary), FLEET_E2E_MODE (netns | loopback).
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { EventSocket, startFleet, type TestFleet, waitFor } from '../kit/index.js';
import { httpError, type MessagesRequest, promptsOf, startModelApi, text } from '../fixtures/model-api/server.js';

const CLAUDE_BIN = process.env.CLAUDE_CODE_BIN;
const MODE = process.env.FLEET_E2E_MODE ?? 'loopback';
if (!CLAUDE_BIN) throw new Error('CLAUDE_CODE_BIN is not set: run this through test/e2e/claude-code-quota.test.ts');

const TEAM = 'e2e';
const WORKER = 'coder';
const LATE = 'late';
const PERMISSION_MODE = 'acceptEdits';
const FIRST_PROMPT = 'QUOTA-E2E: summarise the plan in one line';
const LATE_PROMPT = 'LATE-E2E: say hello';
const REPLY = 'The plan, in one line: ship after the reset.';
const LATE_REPLY = 'Hello from the queued spawn.';
/** How far ahead of the refused request the five-hour window resets (s). */
const RESET_IN_SECONDS = 6;
const DAY = 24 * 3600;

/** A token the CLI takes for an inference gateway's: a JWT (unsigned) whose audience is claude-gateway. */
function gatewayToken(): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const claims = { aud: 'claude-gateway', sub: 'fleet-e2e-quota', exp: Math.floor(Date.now() / 1000) + DAY };
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.${Buffer.from('unsigned').toString('base64url')}`;
}

/** The unified headers of a 429 for a used-up five-hour window that resets at `reset` (s since epoch). */
function fiveHourRejected(reset: number): Record<string, string> {
  return {
    // No retry: the CLI gives up at once and reports the limit (a retry would only be refused again).
    'x-should-retry': 'false',
    'anthropic-ratelimit-unified-status': 'rejected',
    'anthropic-ratelimit-unified-reset': String(reset),
    'anthropic-ratelimit-unified-representative-claim': 'five_hour',
    'anthropic-ratelimit-unified-fallback': 'available',
    'anthropic-ratelimit-unified-5h-status': 'rejected',
    'anthropic-ratelimit-unified-5h-reset': String(reset),
    'anthropic-ratelimit-unified-5h-utilization': '1.0',
    'anthropic-ratelimit-unified-7d-status': 'allowed',
    'anthropic-ratelimit-unified-7d-reset': String(reset + 4 * DAY),
    'anthropic-ratelimit-unified-7d-utilization': '0.41',
  };
}

function run(file: string, args: string[]): Promise<string | undefined> {
  return new Promise((resolveRun) =>
    execFile(file, args, { timeout: 15_000 }, (error, stdout) => resolveRun(error ? undefined : String(stdout))),
  );
}

const until = <T>(what: string, timeoutMs: number, check: () => Promise<T | undefined | false>) =>
  waitFor(what, check, timeoutMs, 100);
const argvOf = (dir: string) => (JSON.parse(readFileSync(join(dir, 'spawn.json'), 'utf8')) as { argv: string[] }).argv;
const after = (argv: string[], flag: string) => (argv.includes(flag) ? argv[argv.indexOf(flag) + 1] : undefined);

if (MODE === 'netns') execFileSync('ip', ['link', 'set', 'lo', 'up']);
const root = mkdtempSync(join(tmpdir(), 'fleet-e2e-quota-'));
const home = join(root, 'home');
const work = join(root, 'work');
const scratch = join(root, 'tmp');
for (const dir of [home, work, scratch]) mkdirSync(dir, { recursive: true, mode: 0o700 });
const tmuxSocket = `fleet-e2e-quota-${process.pid}-${Date.now().toString(36)}`;
const tmuxSocketFile = join(process.env.TMUX_TMPDIR || '/tmp', `tmux-${process.getuid!()}`, tmuxSocket);
const savedEnv = { ...process.env };
/** When the scene's body ended: its teardowns (fleet stop, tmux, model API) are timed from here. */
let bodyDone = 0;
t.teardown(() => rmSync(root, { recursive: true, force: true }));
t.teardown(() => {
  for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
  Object.assign(process.env, savedEnv);
});
t.comment(`network mode: ${MODE}; claude: ${CLAUDE_BIN}`);

t.test(
  'a real Claude Code worker parked on a five-hour limit resumes after the reset, conversation intact',
  async (t) => {
    /** The reset the 429 announced (s since epoch), set when the worker's first model request comes. */
    let reset: number | undefined;
    const api = await startModelApi({
      script: (request: MessagesRequest) => {
        // Requests without tools are the CLI's side requests (titles and the like).
        if (!request.tools?.length) return text('ok', 'side');
        const prompts = promptsOf(request);
        if (prompts.some((prompt) => prompt.includes(LATE_PROMPT))) return text(LATE_REPLY, 'late');
        if (!prompts.some((prompt) => prompt.includes(FIRST_PROMPT)))
          return text(`unexpected prompt: ${prompts.at(-1)?.slice(0, 200)}`, 'unexpected');
        if (reset === undefined) reset = Math.floor(Date.now() / 1000) + RESET_IN_SECONDS;
        if (Date.now() < reset * 1000)
          return httpError(429, "This request would exceed your account's rate limit.", fiveHourRejected(reset), '429');
        return text(REPLY, 'after-reset');
      },
    });
    t.teardown(() => api.close());
    for (const key of Object.keys(process.env))
      if (/^(ANTHROPIC_|CLAUDE_CODE_|TMUX)|^(https?|all)_proxy$/i.test(key)) delete process.env[key];
    Object.assign(process.env, {
      HOME: home,
      TMPDIR: scratch,
      ANTHROPIC_BASE_URL: api.url,
      ANTHROPIC_AUTH_TOKEN: gatewayToken(),
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      DISABLE_TELEMETRY: '1',
      DISABLE_AUTOUPDATER: '1',
      DISABLE_ERROR_REPORTING: '1',
      IS_SANDBOX: '1',
    });
    process.env.NO_PROXY = process.env.no_proxy = '127.0.0.1,localhost';
    t.teardown(async () => {
      await run('tmux', ['-L', tmuxSocket, 'kill-server']);
      rmSync(tmuxSocketFile, { force: true });
    });

    const fleet: TestFleet = await startFleet(t, {
      // The scene polls GET /orchestrate/workers every 100 ms: past the default rate limit it would answer 429.
      config: { server: { rateLimit: { max: 1_000_000 } } },
      plugins: {
        auth: true,
        mail: true,
        workers: {
          claude: { command: [CLAUDE_BIN], permissionMode: PERMISSION_MODE },
          heartbeatSeconds: 1,
          tmux: { socket: tmuxSocket, session: 'e2e' },
          quota: { resumeBatch: 1, resumeWindowSeconds: 1, resetMarginSeconds: 0 },
        },
      },
    });
    t.comment(`storage: ${fleet.storage.driver}`);
    const lead = await fleet.register('lead', TEAM, 'team-lead');
    const call = (method: string, path: string, body?: unknown) =>
      fleet.request(method, path, { token: lead.token, body });
    const worker = async (handle: string) =>
      ((await call('GET', '/orchestrate/workers')).body as any[]).find((entry) => entry.handle === handle);
    const events = await EventSocket.open(t, fleet.url, lead.token);
    const eventAt = new Map<string, number>();
    events.ws.on('message', (data) => {
      const message = JSON.parse((data as Buffer).toString('utf8')) as { type?: string; handle?: string };
      const key = `${message.type}:${message.handle ?? ''}`;
      if (!eventAt.has(key)) eventAt.set(key, Date.now());
    });
    const workerDir = join(fleet.dataDir, 'workers', TEAM, WORKER);
    const dump = () => {
      for (const handle of [WORKER, LATE])
        for (const file of ['output.log', 'stderr.log']) {
          const path = join(fleet.dataDir, 'workers', TEAM, handle, file);
          if (existsSync(path)) t.comment(`${handle} ${file}:\n${readFileSync(path, 'utf8').slice(-5000)}`);
        }
      t.comment(`model API: ${JSON.stringify(api.messages().map((entry) => [entry.label, entry.at]))}`);
      t.comment(`fleet log tail:\n${fleet.logs.slice(-50).join('\n')}`);
    };

    try {
      const spawned = await call('POST', '/orchestrate/spawn', {
        handle: WORKER,
        initialPrompt: FIRST_PROMPT,
        workingDir: work,
      });
      t.equal(spawned.status, 201, 'spawn answers 201');
      const session = spawned.body.sessionId as string;
      const firstArgv = argvOf(workerDir);
      t.equal(after(firstArgv, '--session-id'), session, 'launched with --session-id <its session>');
      t.equal(after(firstArgv, '--permission-mode'), PERMISSION_MODE, `in the configured mode (${PERMISSION_MODE})`);

      // Parked: the CLI reported the limit; the worker waits with the reset the header gave.
      const parked = await until('the worker parked', 90_000, async () => {
        const seen = await worker(WORKER);
        return seen?.state === 'paused' ? seen : undefined;
      });
      const parkedAt = Date.now();
      const refused = api.messages().filter((entry) => entry.label === '429');
      t.equal(refused.length, 1, 'the model API refused one request (no retry: x-should-retry false)');
      const mainRequests = api.messages().filter((entry) => entry.label !== 'side');
      t.equal(mainRequests[0]?.label, '429', 'it was the worker’s first model request');
      t.comment(`429 → parked: ${parkedAt - refused[0]!.at} ms`);
      t.ok(reset, 'the 429 announced a reset');
      const resetsAt = reset! * 1000;
      t.match(parked.pause, { reason: 'quota', source: 'quota', midTurn: true }, 'paused, reason quota');
      // The worker view shows its times as ISO strings.
      t.equal(Date.parse(parked.pause.resetsAt), resetsAt, `resetsAt is the header’s (${parked.pause.resetsAt})`);
      t.ok(resetsAt > Date.now(), 'the reset is still ahead');
      const quota = await call('GET', '/orchestrate/quota');
      t.match(
        quota.body,
        { limited: true, kind: 'usage_limit', window: 'five_hour', resumesBySelf: true },
        'GET /orchestrate/quota: limited, a five-hour window that resumes by itself',
      );
      t.equal(Date.parse(quota.body.resetsAt), resetsAt, 'with the same reset');
      t.same(
        (quota.body.parked as any[]).map((entry) => entry.handle),
        [WORKER],
        'the parked worker is listed',
      );
      t.ok(eventAt.has(`worker_paused:${WORKER}`), 'worker_paused was published');

      // A spawn meanwhile waits.
      const held = await call('POST', '/orchestrate/spawn', {
        handle: LATE,
        initialPrompt: LATE_PROMPT,
        workingDir: work,
      });
      t.equal(held.status, 202, `a spawn while the limit holds is queued (${JSON.stringify(held.body)})`);
      t.notOk(await worker(LATE), 'and not started');
      t.ok(Date.now() < resetsAt, 'all of this before the reset');

      // After the reset: resumed by itself, the same session, the conversation intact.
      const back = await until('the resumed turn’s reply', 60_000, async () => {
        const seen = await worker(WORKER);
        return seen?.state === 'idle' && seen.result ? seen : undefined;
      });
      t.equal(back.result, REPLY, 'the turn ends with the scripted reply');
      t.equal(back.pause, null, 'no longer paused');
      const resumedAt = eventAt.get(`worker_resumed:${WORKER}`);
      t.ok(resumedAt, 'worker_resumed was published');
      const resumedEvent = events.of('worker_resumed', WORKER)[0];
      t.match(resumedEvent, { reason: 'quota', by: 'reset' }, 'resumed by the reset, not by a person');
      t.ok(resumedAt! >= resetsAt, 'not before the reset');
      const nextRequest = api.messages().find((entry) => entry.label === 'after-reset')!;
      t.ok(nextRequest, 'the model API got the resumed turn’s request');
      t.comment(`reset → worker_resumed: ${resumedAt! - resetsAt} ms`);
      t.comment(`reset → the resumed worker’s first model request: ${nextRequest.at - resetsAt} ms`);
      const resumedArgv = argvOf(workerDir);
      t.equal(after(resumedArgv, '--resume'), session, 'relaunched with --resume <the same session>');
      t.notOk(resumedArgv.includes('--session-id'), 'not a new session');
      t.equal(after(resumedArgv, '--permission-mode'), PERMISSION_MODE, 'in the same permission mode');
      t.equal(nextRequest.headers['x-claude-code-session-id'], session, 'the model sees the same session');
      const prompts = promptsOf(nextRequest.body as MessagesRequest);
      t.ok(
        prompts.some((prompt) => prompt.includes(FIRST_PROMPT)),
        'conversation intact: the first prompt is in the resumed request’s messages',
      );
      t.match(prompts.at(-1), /paused in the middle of a turn/, 'and it is told to continue');
      t.equal(back.sessionId, session, 'the worker’s session is unchanged');

      // The breaker is clear and the queued spawn has started.
      t.match((await call('GET', '/orchestrate/quota')).body, { limited: false }, 'GET /orchestrate/quota: clear');
      const late = await until('the queued spawn’s turn', 60_000, async () => {
        const seen = await worker(LATE);
        return seen?.state === 'idle' && seen.result ? seen : undefined;
      });
      t.equal(late.result, LATE_REPLY, 'the queued spawn started and ran its turn');
      const lateArgv = argvOf(join(fleet.dataDir, 'workers', TEAM, LATE));
      t.equal(after(lateArgv, '--permission-mode'), PERMISSION_MODE, 'it too in the configured mode');
      const lateAt = api.messages().find((entry) => entry.label === 'late')!.at;
      t.comment(`reset → the queued spawn’s first model request: ${lateAt - resetsAt} ms`);
      t.equal(api.messages().filter((entry) => entry.label === '429').length, 1, 'no other request was refused');
      t.equal(api.messages().filter((entry) => entry.label === 'unexpected').length, 0, 'no unexpected request');
      // The evidence, whatever the outcome: what the fleet said from the park to the resume.
      const said = fleet.logs.filter((line) => line.includes('[fleet:workers]'));
      t.comment(`fleet log (workers):\n${said.join('\n')}`);
    } catch (error) {
      dump();
      throw error;
    }
    if (t.passing() === false) dump();
    bodyDone = Date.now();
  },
);

/** Pids (not this process or its own helpers) whose environment holds `entry`. */
function processesWithEnv(entry: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === process.pid) continue;
      if (readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(entry)) found.push(pid);
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

t.test('the scene leaves nothing behind', async (t) => {
  if (bodyDone) t.comment(`teardown (fleet stop, tmux, model API): ${Date.now() - bodyDone} ms`);
  // The fleet, the tmux server and the model API were stopped by the first test's teardowns.
  const left = await until('the scene’s processes to exit', 10_000, async () =>
    processesWithEnv(`HOME=${home}`).length === 0 ? [] : undefined,
  ).catch(() => processesWithEnv(`HOME=${home}`));
  t.same(left, [], 'no process of the scene is left (claude sessions, MCP servers, pane hosts)');
  t.notOk(existsSync(tmuxSocketFile), 'the tmux socket file is removed');
});

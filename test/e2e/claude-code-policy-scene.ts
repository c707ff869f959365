/**
 * The scene of the policy hook's real Claude Code test, run by claude-code-policy.test.ts as a child
 * process (inside `unshare -rn` when it can), never by tap directly. This process's environment is
 * the scene's own: a fresh HOME and TMPDIR, the scripted model API, no outside traffic.
 *
 * Fail closed: the real `claude -p`, with the settings policyHookSettings() builds, in a permission
 * mode that would run any Bash call, is asked by the scripted model to create a marker file while
 * the hook cannot get a decision: the fleet is down, never answers, answers non-JSON, answers 500,
 * or the hook itself crashes (exit 1). Each must block: no marker, and the model sees an is_error
 * tool_result saying why. A control run whose fleet answers `none` shows the same call does run.
 *
 * A real fleet: the workers and policy plugins, three real Claude Code workers in tmux panes (the
 * policy plugin's launch guard gives them the hook). A block rule: the command does not run and the
 * model reads the rule's reason. An ask rule: the worker waits, the approval is in the lead's inbox
 * (GET /approvals) within 2 s, is approved over HTTP, and the command runs within 2 s; another is
 * denied and does not run.
 *
 * Env: CLAUDE_CODE_BIN (the claude binary), FLEET_E2E_MODE (netns | loopback).
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { PRE_TOOL_USE_HOOK, policyHookSettings } from '../../plugins/policy/hook-settings.js';
import { startFleet, waitFor } from '../kit/index.js';
import {
  type MessagesRequest,
  promptsOf,
  startModelApi,
  text,
  toolResultsOf,
  toolResultText,
  toolUse,
} from '../fixtures/model-api/server.js';

const CLAUDE_BIN = process.env.CLAUDE_CODE_BIN;
const MODE = process.env.FLEET_E2E_MODE ?? 'loopback';
if (!CLAUDE_BIN) throw new Error('CLAUDE_CODE_BIN is not set: run this through test/e2e/claude-code-policy.test.ts');

const FAKE_KEY = 'sk-ant-fake-e2e-not-a-real-key-0000000000';
/** The hook's decision deadline in the "never answers" case: short, so the scene stays quick. */
const CHECK_TIMEOUT_MS = 3000;

if (MODE === 'netns') execFileSync('ip', ['link', 'set', 'lo', 'up']);
const root = mkdtempSync(join(tmpdir(), 'fleet-e2e-policy-'));
const home = join(root, 'home');
const scratch = join(root, 'tmp');
for (const dir of [home, scratch]) mkdirSync(dir, { recursive: true, mode: 0o700 });
t.teardown(() => rmSync(root, { recursive: true, force: true }));
t.comment(`network mode: ${MODE === 'netns' ? 'private network namespace (unshare -rn)' : 'plain loopback'}`);

/** The environment every claude run gets: the scene's HOME, the scripted model, no outside traffic. */
function claudeEnv(modelUrl: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of ['PATH', 'LANG', 'TERM', 'USER', 'LOGNAME']) if (process.env[key]) env[key] = process.env[key];
  return {
    ...env,
    HOME: home,
    TMPDIR: scratch,
    ANTHROPIC_BASE_URL: modelUrl,
    ANTHROPIC_API_KEY: FAKE_KEY,
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_AUTOUPDATER: '1',
    DISABLE_ERROR_REPORTING: '1',
    IS_SANDBOX: '1',
    NO_PROXY: '127.0.0.1,localhost',
  };
}

/** The scripted model: run the Bash command the prompt names (RUN<<command>>), then report what the tool said. */
function bashScript(request: MessagesRequest) {
  const results = toolResultsOf(request.messages.at(-1));
  if (results.length > 0)
    return text(`SAW is_error=${results[0]!.is_error === true}: ${toolResultText(results[0]!)}`, 'after-tool');
  const prompt = promptsOf(request).at(-1) ?? '';
  const command = /RUN<<(.*?)>>/s.exec(prompt)?.[1];
  if (command) return toolUse('Bash', { command, description: 'make the marker' }, `bash ${command}`);
  return text('ok', 'side');
}

/** What the stand-in fleet saw of one policy check. */
interface SeenCheck {
  path: string;
  authorization: string | undefined;
  body: any;
}

/**
 * A stand-in for the fleet's POST /policies/check that misbehaves on purpose: the worker's token
 * (FLEET_TOKEN) picks how. `hang` never answers, `garbage` answers HTML, `error` a 500, `none` a
 * proper "no rule matched".
 */
async function startStandIn(): Promise<{ url: string; seen: SeenCheck[]; close(): Promise<void> }> {
  const seen: SeenCheck[] = [];
  const sockets = new Set<Socket>();
  const readBody = (request: IncomingMessage) =>
    new Promise<string>((resolveBody) => {
      let raw = '';
      request.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
      request.on('end', () => resolveBody(raw));
    });
  const server: Server = createServer((request, response) => {
    void readBody(request).then((raw) => {
      let body: unknown = raw;
      try {
        body = JSON.parse(raw);
      } catch {
        // kept as text
      }
      const authorization = request.headers.authorization;
      seen.push({ path: request.url ?? '', authorization, body });
      const mode = authorization?.replace(/^Bearer /, '');
      if (mode === 'hang') return; // never answers; the socket is destroyed at close
      if (mode === 'garbage') {
        response.writeHead(200, { 'content-type': 'text/html' });
        response.end('<html><body>502 Bad Gateway</body></html>');
      } else if (mode === 'error') {
        response.writeHead(500, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: 'Internal server error', code: 'FLEET_INTERNAL' }));
      } else {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ decision: 'none' }));
      }
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolveClose) => server.close(() => resolveClose()));
    },
  };
}

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolveClose) => server.close(() => resolveClose()));
  return port;
}

interface ClaudeRun {
  code: number | null;
  lines: any[];
  stderr: string;
  ms: number;
}

/** `claude -p <prompt>` in `cwd` with these settings and env; its stream-json lines. */
function runClaude(
  cwd: string,
  settings: Record<string, unknown>,
  env: Record<string, string>,
  prompt: string,
): Promise<ClaudeRun> {
  const settingsFile = join(cwd, 'fleet-settings.json');
  writeFileSync(settingsFile, JSON.stringify(settings), { mode: 0o600 });
  chmodSync(settingsFile, 0o600);
  const args = [
    '-p',
    '--output-format',
    'stream-json',
    '--verbose',
    '--include-hook-events',
    '--settings',
    settingsFile,
    '--setting-sources',
    '',
    // A mode that runs any Bash call without asking: only the hook stands in the way.
    '--permission-mode',
    'bypassPermissions',
    prompt,
  ];
  const started = Date.now();
  return new Promise((resolveRun) => {
    const child = spawn(CLAUDE_BIN!, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const killer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('close', (code) => {
      clearTimeout(killer);
      const lines = stdout
        .split('\n')
        .filter(Boolean)
        .flatMap((line) => {
          try {
            return [JSON.parse(line) as unknown];
          } catch {
            return [];
          }
        });
      resolveRun({ code, lines, stderr, ms: Date.now() - started });
    });
  });
}

/** The tool_result blocks Claude Code sent back to the model in a run. */
const toolResults = (run: ClaudeRun) =>
  run.lines.flatMap((line) =>
    line.type === 'user' && Array.isArray(line.message?.content)
      ? (line.message.content as any[]).filter((block) => block.type === 'tool_result')
      : [],
  );
const resultText = (block: any): string =>
  typeof block.content === 'string'
    ? block.content
    : Array.isArray(block.content)
      ? block.content.map((part: any) => part.text ?? '').join('\n')
      : '';
const hookResponses = (run: ClaudeRun) =>
  run.lines
    .filter((line) => line.type === 'system' && line.subtype === 'hook_response' && line.hook_event === 'PreToolUse')
    .map((line) => ({ exit: line.exit_code, outcome: line.outcome, stdout: line.stdout, stderr: line.stderr }));

t.test('the hook fails closed in real Claude Code: 5 failure modes, 5 blocks', async (t) => {
  const api = await startModelApi({ script: bashScript });
  t.teardown(() => api.close());
  const standIn = await startStandIn();
  t.teardown(() => standIn.close());
  const downUrl = `http://127.0.0.1:${await closedPort()}`;
  const hook = policyHookSettings({ approvalTimeoutSeconds: 30 });

  const cases: {
    name: string;
    url: string;
    token: string;
    settings?: Record<string, unknown>;
    /** What the model must be told. */
    reason: RegExp;
  }[] = [
    { name: 'fleet down', url: downUrl, token: 'down', reason: /policy check failed \(could not reach the fleet/ },
    {
      name: 'fleet never answers (timeout)',
      url: standIn.url,
      token: 'hang',
      reason: new RegExp(`policy check failed \\(the fleet did not answer within ${CHECK_TIMEOUT_MS} ms`),
    },
    { name: 'non-JSON reply', url: standIn.url, token: 'garbage', reason: /policy check failed \(.*not JSON/ },
    {
      name: 'hook exits 1',
      url: standIn.url,
      token: 'none',
      // The settings builder's own output, its command pointed at a program that exits 1 at once.
      settings: policyHookSettings({
        approvalTimeoutSeconds: 30,
        command: process.execPath,
        args: ['-e', 'process.exit(1)'],
      }),
      reason: /failed; blocking because onFailure is "block"/,
    },
    { name: 'HTTP 500', url: standIn.url, token: 'error', reason: /policy check answered HTTP 500, FLEET_INTERNAL/ },
  ];
  const control = { name: 'control: the fleet answers none', url: standIn.url, token: 'none', settings: hook };
  // Why the settings say onFailure "block": without it, this Claude Code runs the call of a hook that crashed.
  const crashing = cases.find((entry) => entry.name === 'hook exits 1')!.settings!;
  const withoutOnFailure = JSON.parse(JSON.stringify(crashing).replace(',"onFailure":"block"', '')) as typeof crashing;
  const failOpen = { ...control, name: 'without onFailure "block"', settings: withoutOnFailure };

  const runs = await Promise.all(
    [...cases, control, failOpen].map(async (entry, index) => {
      const cwd = join(root, `case-${index}`);
      mkdirSync(cwd, { recursive: true });
      const marker = join(cwd, 'marker');
      const env = {
        ...claudeEnv(api.url),
        FLEET_URL: entry.url,
        FLEET_TOKEN: entry.token,
        FLEET_POLICY_CHECK_TIMEOUT_MS: String(CHECK_TIMEOUT_MS),
      };
      const run = await runClaude(cwd, entry.settings ?? hook, env, `Please RUN<<touch ${marker}>>`);
      return { entry, run, marker };
    }),
  );

  let blocked = 0;
  for (const [index, { run, marker }] of runs.slice(0, cases.length).entries()) {
    const entry = cases[index]!;
    const results = toolResults(run);
    const denied = results.length === 1 && results[0].is_error === true && !existsSync(marker);
    if (denied) blocked++;
    t.test(entry.name, async (t) => {
      t.equal(run.code, 0, `claude ended normally (${run.ms} ms)`);
      t.notOk(existsSync(marker), 'the Bash call did not run: no marker file');
      t.equal(results.length, 1, 'one tool result went back to the model');
      t.equal(results[0]?.is_error, true, 'the model saw an error tool result (a denial)');
      t.match(resultText(results[0] ?? {}), entry.reason, `the model was told why: ${resultText(results[0] ?? {})}`);
      const result = run.lines.find((line) => line.type === 'result');
      t.equal(result?.permission_denials?.length, 1, 'Claude Code counts it as a permission denial');
      const told = api.messages().find((request) => {
        const body = request.body as MessagesRequest;
        return request.label === 'after-tool' && promptsOf(body).some((prompt) => prompt.includes(marker));
      });
      t.ok(told, 'the model was asked again with the denial in its context');
      if (!t.passing()) t.comment(JSON.stringify({ hooks: hookResponses(run), stderr: run.stderr.slice(-2000) }));
    });
  }
  t.equal(blocked, cases.length, `${blocked} of ${cases.length} failure modes blocked the call`);

  const [controlRun, failOpenRun] = runs.slice(cases.length);
  t.test(control.name, async (t) => {
    t.ok(existsSync(controlRun!.marker), 'the same call runs when the fleet answers none: the test can fail');
    t.equal(toolResults(controlRun!.run)[0]?.is_error, false, 'and the model saw it succeed');
  });
  t.test('the pinned Claude Code fails open without onFailure "block"', async (t) => {
    t.notMatch(JSON.stringify(withoutOnFailure), /onFailure/, 'the crashing hook, minus onFailure');
    t.same(
      hookResponses(failOpenRun!.run).map((hook) => hook.exit),
      [1],
      'the hook ran and exited 1',
    );
    t.ok(existsSync(failOpenRun!.marker), 'and the call ran anyway: why policyHookSettings sets it');
  });

  t.test('what the hook sent the fleet', async (t) => {
    const checks = standIn.seen.filter((entry) => entry.path === '/policies/check');
    t.same(
      [...new Set(checks.map((entry) => entry.authorization))].sort(),
      ['Bearer error', 'Bearer garbage', 'Bearer hang', 'Bearer none'],
      'POST /policies/check with the worker token (FLEET_TOKEN) as a bearer token',
    );
    const body = checks.find((entry) => entry.authorization === 'Bearer none')?.body;
    t.match(
      body,
      {
        tool: 'Bash',
        input: { command: /^touch .*marker$/, description: 'make the marker' },
        toolUseId: /^toolu_/,
        sessionId: /^[0-9a-f-]{36}$/,
        cwd: String,
      },
      'the tool, its input and the call, session and working dir from Claude Code',
    );
  });
});

t.test('a real fleet: a block rule, an ask approved over HTTP, an ask denied', async (t) => {
  const TEAM = 'e2e';
  const api = await startModelApi({ script: bashScript });
  t.teardown(() => api.close());
  // The fleet hands its environment to its workers: the scene's HOME, the scripted model, no traffic.
  const saved = { ...process.env };
  t.teardown(() => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  });
  for (const key of Object.keys(process.env))
    if (/^(ANTHROPIC_|CLAUDE_CODE_|TMUX)|^(https?|all)_proxy$/i.test(key)) delete process.env[key];
  Object.assign(process.env, claudeEnv(api.url));
  const socket = `fleet-e2e-policy-${process.pid}-${Date.now().toString(36)}`;
  t.teardown(
    () => new Promise<void>((resolveKill) => execFile('tmux', ['-L', socket, 'kill-server'], () => resolveKill())),
  );
  const work = join(root, 'fleet-work');
  mkdirSync(work, { recursive: true });

  const fleet = await startFleet(t, {
    plugins: {
      auth: true,
      workers: {
        // Only the hook stands between the model and Bash: a mode that would run anything.
        claude: { command: [CLAUDE_BIN], permissionMode: 'bypassPermissions' },
        heartbeatSeconds: 1,
        tmux: { socket, session: 'policy' },
      },
      policy: { approvals: { timeoutSeconds: 90 } },
    },
  });
  const lead = (await fleet.register('lead', TEAM, 'team-lead')).token;
  const asLead = (method: string, path: string, body?: unknown) =>
    fleet.request(method, path, { token: lead, ...(body === undefined ? {} : { body }) });
  for (const rule of [
    {
      name: 'no-blocked-markers',
      decision: 'block',
      tool: 'Bash',
      pattern: 'blocked-marker',
      reason: 'blocked markers are not allowed here',
    },
    {
      name: 'ask-for-markers',
      decision: 'ask',
      tool: 'Bash',
      pattern: 'ask-marker',
      reason: 'a lead signs off markers',
    },
  ]) {
    const created = await asLead('POST', '/policies', rule);
    t.equal(created.status, 201, `rule ${rule.name} created: ${JSON.stringify(created.body)}`);
  }

  const markers = {
    blocker: join(work, 'blocked-marker'),
    approved: join(work, 'ask-marker-approved'),
    refused: join(work, 'ask-marker-refused'),
  };
  const workers = async () => (await asLead('GET', '/orchestrate/workers')).body as Record<string, any>[];
  const worker = async (handle: string) => (await workers()).find((entry) => entry.handle === handle);
  const finished = (handle: string) =>
    waitFor(
      `${handle} to finish its turn`,
      async () => {
        const found = await worker(handle);
        return found?.state === 'idle' && found.result ? found : undefined;
      },
      90_000,
      200,
    );
  const dump = () => {
    for (const handle of Object.keys(markers)) {
      const log = join(fleet.dataDir, 'workers', TEAM, handle, 'output.log');
      if (existsSync(log)) t.comment(`${handle} output.log:\n${readFileSync(log, 'utf8').slice(-4000)}`);
    }
    t.comment(`fleet log tail:\n${fleet.logs.slice(-30).join('\n')}`);
  };

  try {
    for (const [handle, marker] of Object.entries(markers)) {
      const spawned = await asLead('POST', '/orchestrate/spawn', {
        handle,
        workingDir: work,
        initialPrompt: `Please RUN<<touch ${marker}>>`,
      });
      t.equal(spawned.status, 201, `${handle} spawned`);
      t.equal(spawned.body.enforcement, 'enforced', `${handle} is held to the policy`);
    }
    const dir = join(fleet.dataDir, 'workers', TEAM, 'blocker');
    const argv = (JSON.parse(readFileSync(join(dir, 'spawn.json'), 'utf8')) as { argv: string[] }).argv;
    t.equal(argv[argv.indexOf('--settings') + 1], join(dir, 'settings.json'), 'claude runs with --settings');
    t.equal(argv[argv.indexOf('--setting-sources') + 1], '', 'and reads no other settings file');
    t.equal(statSync(join(dir, 'settings.json')).mode & 0o777, 0o600, 'the settings file is 0600');
    t.match(
      JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8')),
      { hooks: { PreToolUse: [{ matcher: '*', hooks: [{ args: [PRE_TOOL_USE_HOOK], onFailure: 'block' }] }] } },
      'the policy plugin’s hook on every tool',
    );

    // Ask: the worker waits, and its call is in the lead's inbox within 2 s of the model asking for it.
    const pendingFor = async (handle: string) => {
      const inbox = await asLead('GET', '/approvals');
      return (inbox.body as Record<string, any>[]).find((entry) => entry.agent === handle);
    };
    const askedAt = (marker: string) =>
      api.messages().find((entry) => entry.label === `bash touch ${marker}`)?.at ?? undefined;
    const approval = await waitFor('the approved one’s ask in the inbox', () => pendingFor('approved'), 90_000, 100);
    const seenAt = Date.now();
    const asked = askedAt(markers.approved);
    t.ok(asked !== undefined, 'the model asked for the call');
    t.ok(seenAt - asked! <= 2000, `the lead saw it within 2 s of the model's tool call (${seenAt - asked!} ms)`);
    t.match(approval, { status: 'pending', tool: 'Bash', rule: { name: 'ask-for-markers' } }, 'pending, with its rule');
    t.match(JSON.stringify(approval.input), markers.approved, 'showing the command');
    await new Promise((resolveWait) => setTimeout(resolveWait, 1000));
    t.notOk(existsSync(markers.approved), 'the call waits: nothing ran yet');
    t.equal((await worker('approved'))?.state, 'working', 'the worker is still in its turn');

    const decidedAt = Date.now();
    const decided = await asLead('POST', `/approvals/${approval.id}/decide`, { decision: 'approve', note: 'go ahead' });
    t.equal(decided.status, 200, `approved over HTTP: ${JSON.stringify(decided.body)}`);
    await waitFor('the approved call to run', () => existsSync(markers.approved), 30_000, 50);
    t.ok(Date.now() - decidedAt <= 2000, `it ran within 2 s of the decision (${Date.now() - decidedAt} ms)`);
    const ran = await finished('approved');
    t.match(ran.result, /^SAW is_error=false/, `the model saw the call succeed: ${ran.result}`);

    // Ask, denied: the command does not run, and the model reads who said no.
    const refusal = await waitFor('the refused one’s ask in the inbox', () => pendingFor('refused'), 90_000, 100);
    const denied = await asLead('POST', `/approvals/${refusal.id}/decide`, { decision: 'deny', note: 'not today' });
    t.equal(denied.status, 200, 'denied over HTTP');
    const said = await finished('refused');
    t.match(said.result, /^SAW is_error=true: .*Fleet policy "ask-for-markers".*not today/s, `told: ${said.result}`);
    t.notOk(existsSync(markers.refused), 'the denied call did not run');

    // Block: the command does not run, and the model reads the rule's reason.
    const blocked = await finished('blocker');
    t.match(
      blocked.result,
      /^SAW is_error=true: PreToolUse:Bash hook error: Fleet policy "no-blocked-markers": blocked markers are not/,
      `the model read the rule's reason: ${blocked.result}`,
    );
    t.notOk(existsSync(markers.blocker), 'the blocked call did not run');
    const violations = await asLead('GET', '/policies/violations');
    t.ok(JSON.stringify(violations.body).includes('no-blocked-markers'), 'the block is listed in the violations');
  } catch (error) {
    dump();
    throw error;
  }
  if (!t.passing()) dump();
});

/** Processes (other than this one and its own helpers) whose environment has HOME=<the scene's HOME>. */
function sceneProcesses(): string[] {
  const found: string[] = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === process.pid) continue;
      if (readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`HOME=${home}`))
        found.push(`${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim()}`);
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

t.test('the scene leaves nothing behind', async (t) => {
  // The fleet, its tmux server and every claude run have been stopped by the subtests' teardowns.
  const left = await waitFor('the scene’s processes to exit', () => sceneProcesses().length === 0, 10_000, 200).then(
    () => [],
    () => sceneProcesses(),
  );
  t.same(left, [], 'no process of the scene is left (claude, hooks, pane hosts, tmux)');
  rmSync(root, { recursive: true, force: true });
  t.notOk(existsSync(root), 'the scene’s HOME, TMPDIR and work dirs are removed');
});

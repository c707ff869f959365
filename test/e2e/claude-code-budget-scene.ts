/**
 * The scene of the budget end-to-end test with the real Claude Code, run by
 * test/e2e/claude-code-budget.test.ts as a child process (inside `unshare -rn` when it can).
 *
 * A fleet with the policy, sessions and budgets plugins: a real `claude` worker (in a permission mode
 * that would run any Bash call: only the fleet's PreToolUse hook stands in the way) has a token budget
 * that its second model request crosses. The scripted model keeps asking for Bash calls. A tool call
 * checked after the breach is denied by the hook with a reason naming the budget (the model API would see
 * that tool_result error), no Bash call after the crossing reply's runs, the worker is paused with reason
 * budget, and at most one model request reaches the API after budget_exceeded. The overshoot is printed.
 * (In practice the pause stops the agent before its next tool call reaches the hook; the hook's denial
 * is shown with a real claude the fleet does not run, which nothing pauses.) Raising the budget resumes
 * the worker within 5 s with --resume; the CLI reports the tool call the pause cut off as interrupted,
 * and the turn goes on.
 *
 * Env: CLAUDE_CODE_BIN (the claude binary), FLEET_E2E_MODE (netns | loopback).
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { policyHookSettings } from '../../plugins/policy/hook-settings.js';
import { EventSocket, startFleet, type TestFleet, waitFor } from '../kit/index.js';
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
if (!CLAUDE_BIN) throw new Error('CLAUDE_CODE_BIN is not set: run this through test/e2e/claude-code-budget.test.ts');

const TEAM = 'e2e';
const WORKER = 'spender';
const FAKE_KEY = 'sk-ant-fake-e2e-not-a-real-key-0000000000';
const PROMPT = 'BUDGET-E2E: keep running the steps';
/** Input tokens of each scripted reply: the budget lets the first request through, the second crosses it. */
const PER_REQUEST = 1000;
const LIMIT = 1500;
const STOPPED = 'Stopped: the budget was raised, nothing more to do.';
const OUTSIDER = 'outsider';
const OUTSIDER_PROMPT = 'OUTSIDER-E2E: make the marker';

function run(file: string, args: string[]): Promise<string | undefined> {
  return new Promise((resolveRun) =>
    execFile(file, args, { timeout: 15_000 }, (error, stdout) => resolveRun(error ? undefined : String(stdout))),
  );
}

const until = <T>(what: string, timeoutMs: number, check: () => Promise<T | undefined | false>) =>
  waitFor(what, check, timeoutMs, 100);

if (MODE === 'netns') execFileSync('ip', ['link', 'set', 'lo', 'up']);
const root = mkdtempSync(join(tmpdir(), 'fleet-e2e-budget-'));
const home = join(root, 'home');
const work = join(root, 'work');
const scratch = join(root, 'tmp');
for (const dir of [home, work, scratch]) mkdirSync(dir, { recursive: true, mode: 0o700 });
const steps = join(work, 'steps.txt');
const outsiderMarker = join(work, 'outsider-marker');
const tmuxSocket = `fleet-e2e-budget-${process.pid}-${Date.now().toString(36)}`;
const tmuxSocketFile = join(process.env.TMUX_TMPDIR || '/tmp', `tmux-${process.getuid!()}`, tmuxSocket);
const savedEnv = { ...process.env };
t.teardown(() => rmSync(root, { recursive: true, force: true }));
t.teardown(() => {
  for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
  Object.assign(process.env, savedEnv);
});
t.comment(`network mode: ${MODE}; claude: ${CLAUDE_BIN}`);

/** One model request of the worker's main loop, as the scripted API saw it. */
interface Seen {
  n: number;
  at: number;
  /** The tool_result the request carried back (the previous Bash call's), if any. */
  result?: { isError: boolean; text: string };
}

t.test('a real Claude Code worker over its token budget: the hook denies, the fleet pauses', async (t) => {
  const seen: Seen[] = [];
  const outsiderSaw: { isError: boolean; text: string }[] = [];
  const resumedRequests: MessagesRequest[] = [];
  const api = await startModelApi({
    script: (request: MessagesRequest) => {
      if (!request.tools?.length) return text('ok', 'side');
      if (promptsOf(request).some((prompt) => prompt.includes(OUTSIDER_PROMPT))) {
        const [result] = toolResultsOf(request.messages.at(-1));
        if (!result) return toolUse('Bash', { command: `touch ${outsiderMarker}`, description: 'marker' }, 'outsider');
        outsiderSaw.push({ isError: result.is_error === true, text: toolResultText(result) });
        return text('Stopping: the fleet said no.', 'outsider-told');
      }
      if (!promptsOf(request).some((prompt) => prompt.includes(PROMPT)))
        return text(`unexpected prompt: ${promptsOf(request).at(-1)?.slice(0, 200)}`, 'unexpected');
      // Resumed after a raise: the model stops, so the turn ends.
      if (promptsOf(request).at(-1)?.includes('paused in the middle of a turn')) {
        resumedRequests.push(request);
        return text(STOPPED, 'resumed');
      }
      const n = seen.length + 1;
      const [result] = toolResultsOf(request.messages.at(-1));
      seen.push({
        n,
        at: Date.now(),
        ...(result ? { result: { isError: result.is_error === true, text: toolResultText(result) } } : {}),
      });
      // The model never stops on its own: only the fleet can.
      return {
        ...toolUse('Bash', { command: `echo step-${n} >> ${steps}`, description: `step ${n}` }, `request ${n}`),
        usage: { input_tokens: PER_REQUEST, output_tokens: 10 },
      };
    },
  });
  t.teardown(() => api.close());
  for (const key of Object.keys(process.env))
    if (/^(ANTHROPIC_|CLAUDE_CODE_|TMUX)|^(https?|all)_proxy$/i.test(key)) delete process.env[key];
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
      tasks: true,
      sessions: true,
      policy: { approvals: { timeoutSeconds: 90 } },
      budgets: true,
      workers: {
        // Only the hook stands between the model and Bash: a mode that would run anything.
        claude: { command: [CLAUDE_BIN], permissionMode: 'bypassPermissions' },
        heartbeatSeconds: 1,
        tmux: { socket: tmuxSocket, session: 'e2e' },
      },
    },
  });
  t.comment(`storage: ${fleet.storage.driver}`);
  const lead = await fleet.register('lead', TEAM, 'team-lead');
  const call = (method: string, path: string, body?: unknown) =>
    fleet.request(method, path, { token: lead.token, body });
  const worker = async () =>
    ((await call('GET', '/orchestrate/workers')).body as any[]).find((entry) => entry.handle === WORKER);
  const events = await EventSocket.open(t, fleet.url, lead.token);
  const eventAt = new Map<string, number>();
  events.ws.on('message', (data) => {
    const message = JSON.parse((data as Buffer).toString('utf8')) as { type?: string };
    if (message.type && !eventAt.has(message.type)) eventAt.set(message.type, Date.now());
  });
  const workerDir = join(fleet.dataDir, 'workers', TEAM, WORKER);
  const dump = () => {
    for (const file of ['output.log', 'stderr.log']) {
      const path = join(workerDir, file);
      if (existsSync(path)) t.comment(`${file}:\n${readFileSync(path, 'utf8').slice(-6000)}`);
    }
    t.comment(`model API: ${JSON.stringify(seen)}`);
    t.comment(`fleet log tail:\n${fleet.logs.slice(-50).join('\n')}`);
  };

  try {
    const created = await call('POST', '/budgets', {
      scope: { kind: 'worker', id: WORKER },
      unit: 'tokens',
      limit: LIMIT,
      period: 'day',
    });
    t.equal(created.status, 201, `budget created: ${JSON.stringify(created.body)}`);
    const budget = created.body as { id: string };
    const spawned = await call('POST', '/orchestrate/spawn', {
      handle: WORKER,
      initialPrompt: PROMPT,
      workingDir: work,
    });
    t.equal(spawned.status, 201, 'spawn answers 201');
    t.equal(spawned.body.enforcement, 'enforced', 'the worker is held to the policy hook');

    const paused = await until('the worker paused', 120_000, async () => {
      const found = await worker();
      return found?.state === 'paused' ? found : undefined;
    });
    t.match(
      paused.pause,
      { reason: 'budget', source: budget.id },
      `paused with reason budget (${paused.pause.detail})`,
    );
    const exceeded = await events.waitFor('budget_exceeded', (m) => m.type === 'budget_exceeded', 10_000);
    t.match(exceeded, { budget: { id: budget.id, over: true }, paused: [WORKER] }, 'budget_exceeded names the worker');
    const exceededAt = eventAt.get('budget_exceeded')!;
    // Whatever was in flight has landed by now: the agent is stopped.
    await new Promise((resolveWait) => setTimeout(resolveWait, 1500));

    const crossing = seen.find((request) => request.n === 2);
    t.ok(crossing, 'the model API saw the request that crossed the budget');
    const relative = seen.map((r) => ({ ...r, at: r.at - exceededAt }));
    t.comment(`model requests (ms after budget_exceeded): ${JSON.stringify(relative)}`);
    // What came back to the model after the crossing: the crossing reply's Bash call (step-2) and any later.
    const toldAfter = seen.filter((request) => request.n > 2 && request.result);
    for (const request of toldAfter.filter((r) => r.at > exceededAt))
      t.ok(
        request.result!.isError && new RegExp(`budget ${budget.id} .*is over`).test(request.result!.text),
        `request ${request.n}, after the breach, carries the hook's denial naming the budget: ${request.result!.text}`,
      );
    const afterExceeded = seen.filter((request) => request.at > exceededAt);
    t.ok(afterExceeded.length <= 1, `at most one model request after budget_exceeded (${afterExceeded.length})`);
    const ran = existsSync(steps) ? readFileSync(steps, 'utf8').trim().split('\n') : [];
    t.ok(
      ran.every((step) => Number(step.replace('step-', '')) <= 2),
      `no Bash call after the crossing reply's ran (ran: ${JSON.stringify(ran)})`,
    );
    const deniedByHook = toldAfter.filter((request) => request.result!.isError);
    const pausedAfter = paused.pause.since ? Date.parse(paused.pause.since) - crossing!.at : '?';
    t.comment(
      `overshoot: ${seen.length - 2} model request(s) after the one that crossed the budget, ` +
        `${afterExceeded.length} after budget_exceeded; Bash calls run: ${ran.length}; ` +
        (deniedByHook.length > 0
          ? `the hook denied ${deniedByHook.length} tool call(s) before the pause stopped the agent`
          : `the pause stopped the agent ${pausedAfter} ms ` +
            'after the crossing request, before its next tool call reached the hook (no denial to see)'),
    );
    const view = (await call('GET', `/budgets/${budget.id}`)).body;
    t.match(view, { over: true, paused: [WORKER] }, `GET /budgets/:id: over, the worker paused (spent ${view.spent})`);

    // The hook's side, where no pause can get there first: a real claude run by hand (not a fleet worker,
    // so nothing stops it) with the fleet's PreToolUse hook, as an agent whose own budget is over.
    const outsider = await fleet.register(OUTSIDER, TEAM, 'worker');
    const small = await call('POST', '/budgets', {
      scope: { kind: 'worker', id: OUTSIDER },
      unit: 'tokens',
      limit: 100,
      period: 'day',
    });
    t.equal(small.status, 201, 'a budget for the outsider');
    // Its spend, as the workers plugin reports a model request of its own workers.
    fleet.kernel.spine.publish({
      topic: `team.${TEAM}.workers.${OUTSIDER}`,
      type: 'worker_request',
      team: TEAM,
      data: {
        handle: OUTSIDER,
        messageId: 'msg-outsider-1',
        model: 'm',
        tokens: { input: 500, output: 0, cacheRead: 0, cacheWrite: 0 },
      },
    });
    await until(
      'the outsider’s budget over',
      10_000,
      async () => (await call('GET', `/budgets/${small.body.id}`)).body.over,
    );
    const outsiderRun = await runClaude(
      work,
      policyHookSettings({ approvalTimeoutSeconds: 30 }),
      { FLEET_URL: fleet.url, FLEET_TOKEN: outsider.token },
      OUTSIDER_PROMPT,
    );
    t.equal(outsiderRun.code, 0, `claude ended normally (${outsiderRun.stderr.slice(-300)})`);
    t.notOk(existsSync(outsiderMarker), 'the denied Bash call did not run');
    t.equal(outsiderSaw.length, 1, 'the model was asked again after the tool call');
    t.equal(outsiderSaw[0]?.isError, true, 'with an error tool_result');
    t.match(
      outsiderSaw[0]?.text,
      new RegExp(`PreToolUse:Bash hook error: .*budget ${small.body.id} \\(worker ${TEAM}/${OUTSIDER}\\) is over`),
      `the hook's denial names the budget: ${outsiderSaw[0]?.text}`,
    );
    const violations = (await call('GET', '/policies/violations')).body;
    t.match(JSON.stringify(violations), /gate:budgets/, 'audited as blocked by the budgets gate');

    // A raise resumes the worker within 5 s, --resume of its session; the CLI mends the tool call the
    // pause cut off (step-2's Bash, no result) and the turn goes on.
    const raisedAt = Date.now();
    const raised = await call('PATCH', `/budgets/${budget.id}`, { limit: 1_000_000 });
    t.equal(raised.status, 200, 'the budget is raised');
    const resumed = await events.waitFor('worker_resumed', (m) => m.type === 'worker_resumed', 15_000);
    const resumeMs = eventAt.get('worker_resumed')! - raisedAt;
    t.ok(resumeMs <= 5000, `resumed within 5 s of the raise (${resumeMs} ms)`);
    t.match(resumed, { handle: WORKER, reason: 'budget' }, 'worker_resumed, reason budget');
    const argv = (JSON.parse(readFileSync(join(workerDir, 'spawn.json'), 'utf8')) as { argv: string[] }).argv;
    t.equal(argv[argv.indexOf('--resume') + 1], spawned.body.sessionId, 'relaunched with --resume <its session>');
    const stopped = await until('the resumed turn to end', 90_000, async () => {
      const found = await worker();
      return found?.state === 'idle' && found.result === STOPPED ? found : undefined;
    });
    t.equal(stopped.result, STOPPED, 'the resumed turn ends with the scripted reply');
    const mended = resumedRequests[0]?.messages.flatMap((message) => toolResultsOf(message));
    t.comment(
      `the resumed request's tool results: ${JSON.stringify(mended?.map((b) => [b.is_error, toolResultText(b)]))}`,
    );
    t.ok(
      mended?.some((block) => block.is_error === true && /interrupted/i.test(toolResultText(block))) ||
        mended?.some((block) => /budget .* is over/.test(toolResultText(block))),
      'the tool call the pause cut off comes back to the model as interrupted (or denied): nothing dangles',
    );
    t.ok(
      promptsOf(resumedRequests[0]!).some((prompt) => prompt.includes(PROMPT)),
      'conversation intact: the first prompt is in the resumed request',
    );
    const logLines = fleet.logs.filter((line) => /\[fleet:(workers|budgets|policy)\]/.test(line));
    t.comment(`fleet log (workers, budgets, policy):\n${logLines.join('\n')}`);
  } catch (error) {
    dump();
    throw error;
  }
  if (t.passing() === false) dump();
});

/** `claude -p <prompt>` in `cwd` with these settings (the fleet's hook) and the scene's env plus `env`. */
function runClaude(
  cwd: string,
  settings: Record<string, unknown>,
  env: Record<string, string>,
  prompt: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const settingsFile = join(scratch, 'outsider-settings.json');
  writeFileSync(settingsFile, JSON.stringify(settings), { mode: 0o600 });
  const args = ['-p', '--output-format', 'stream-json', '--verbose', '--settings', settingsFile];
  args.push('--setting-sources', '', '--permission-mode', 'bypassPermissions', prompt);
  return new Promise((resolveRun) => {
    const child = spawn(CLAUDE_BIN!, args, {
      cwd,
      env: { ...(process.env as Record<string, string>), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const killer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('close', (code) => {
      clearTimeout(killer);
      resolveRun({ code, stdout, stderr });
    });
  });
}

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
  const left = await until('the scene’s processes to exit', 10_000, async () =>
    processesWithEnv(`HOME=${home}`).length === 0 ? [] : undefined,
  ).catch(() => processesWithEnv(`HOME=${home}`));
  t.same(left, [], 'no process of the scene is left (claude, hooks, MCP servers, pane hosts)');
  t.notOk(existsSync(tmuxSocketFile), 'the tmux socket file is removed');
});

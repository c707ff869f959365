/**
 * The scene of the lease gate's real Claude Code test, run by claude-code-lease.test.ts as a child
 * process (inside `unshare -rn` when it can), never by tap directly. A real fleet (auth, policy,
 * leases); bob leases src/auth/login.ts of a temporary repository; the real `claude -p` runs as alice
 * with the policy plugin's hook settings, in a permission mode that would run anything, and the
 * scripted model asks for an Edit of that file. The hook asks the fleet, the lease gate denies: the
 * file is unchanged and the model reads who holds it. A control Edit of a free file goes through.
 *
 * Env: CLAUDE_CODE_BIN (the claude binary), FLEET_E2E_MODE (netns | loopback).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { policyHookSettings } from '../../plugins/policy/hook-settings.js';
import { registerTeam, startFleet } from '../kit/index.js';
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
if (!CLAUDE_BIN) throw new Error('CLAUDE_CODE_BIN is not set: run this through claude-code-lease.test.ts');
if (MODE === 'netns') execFileSync('ip', ['link', 'set', 'lo', 'up']);

const root = mkdtempSync(join(tmpdir(), 'fleet-e2e-lease-'));
const home = join(root, 'home');
const scratch = join(root, 'tmp');
for (const dir of [home, scratch]) mkdirSync(dir, { recursive: true, mode: 0o700 });
t.teardown(() => rmSync(root, { recursive: true, force: true }));

/** The scripted model: Edit the file the prompt names (EDIT<<path>>), then report what the tool said. */
function editScript(request: MessagesRequest) {
  const results = toolResultsOf(request.messages.at(-1));
  if (results.length > 0)
    return text(`SAW is_error=${results[0]!.is_error === true}: ${toolResultText(results[0]!)}`, 'after-tool');
  const prompt = promptsOf(request).at(-1) ?? '';
  const file = /EDIT<<(.*?)>>/s.exec(prompt)?.[1];
  if (file) return toolUse('Edit', { file_path: file, old_string: 'one', new_string: 'two' }, `edit ${file}`);
  return text('ok', 'side');
}

function runClaude(cwd: string, env: Record<string, string>, prompt: string): Promise<{ lines: any[] }> {
  const settingsFile = join(root, 'settings.json');
  writeFileSync(settingsFile, JSON.stringify(policyHookSettings({ approvalTimeoutSeconds: 30 })), { mode: 0o600 });
  const args = ['-p', '--output-format', 'stream-json', '--verbose', '--settings', settingsFile];
  args.push('--setting-sources', '', '--permission-mode', 'bypassPermissions', prompt);
  return new Promise((resolveRun) => {
    const child = spawn(CLAUDE_BIN!, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    const killer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('close', () => {
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
      resolveRun({ lines });
    });
  });
}

const toolResults = (lines: any[]) =>
  lines.flatMap((line) =>
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

void t.test(
  'an Edit of a file leased to another worker is denied in real Claude Code; the file is unchanged',
  async (t) => {
    const fleet = await startFleet(t, {
      plugins: { auth: true, policy: true, leases: true },
      config: { server: { rateLimit: { max: 1_000_000 } } },
    });
    const api = await startModelApi({ script: editScript });
    t.teardown(() => api.close());
    const repo = join(root, 'repo');
    mkdirSync(join(repo, 'src/auth'), { recursive: true });
    const git = (...args: string[]) => execFileSync('git', ['-C', repo, ...args], { stdio: 'pipe' });
    execFileSync('git', ['init', '-q', '-b', 'main', repo]);
    git('config', 'user.email', 'e2e@example.com');
    git('config', 'user.name', 'e2e');
    const leased = join(repo, 'src/auth/login.ts');
    const free = join(repo, 'src/free.ts');
    writeFileSync(leased, 'one\n');
    writeFileSync(free, 'one\n');
    git('add', '-A');
    git('commit', '-qm', 'init');

    const { lead, workers } = await registerTeam(fleet, 'red', ['alice', 'bob']);
    const [alice, bob] = [workers[0]!, workers[1]!];
    const granted = await fleet.request('POST', '/leases', {
      token: bob.token,
      body: { repo, paths: ['src/auth/login.ts'] },
    });
    t.equal(granted.status, 201, JSON.stringify(granted.body));

    const env: Record<string, string> = {};
    for (const key of ['PATH', 'LANG', 'TERM', 'USER', 'LOGNAME']) if (process.env[key]) env[key] = process.env[key]!;
    Object.assign(env, {
      HOME: home,
      TMPDIR: scratch,
      ANTHROPIC_BASE_URL: api.url,
      ANTHROPIC_API_KEY: 'sk-ant-fake-e2e-not-a-real-key-0000000000',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      DISABLE_TELEMETRY: '1',
      DISABLE_AUTOUPDATER: '1',
      DISABLE_ERROR_REPORTING: '1',
      IS_SANDBOX: '1',
      NO_PROXY: '127.0.0.1,localhost',
      FLEET_URL: fleet.url,
      FLEET_TOKEN: alice.token,
    });

    const denied = await runClaude(repo, env, `EDIT<<${leased}>>`);
    const [result] = toolResults(denied.lines);
    t.ok(result, 'the model got a tool result');
    t.equal(result?.is_error, true, 'the Edit failed');
    t.match(resultText(result), /Fleet lease: src\/auth\/login\.ts is leased exclusively to bob until .*\(lease /);
    t.equal(readFileSync(leased, 'utf8'), 'one\n', 'the leased file is unchanged');

    const control = await runClaude(repo, env, `EDIT<<${free}>>`);
    const [ok] = toolResults(control.lines);
    t.notOk(ok?.is_error, `the control Edit ran: ${resultText(ok ?? {})}`);
    t.equal(readFileSync(free, 'utf8'), 'two\n', 'a free file is edited');

    const violations = await fleet.request('GET', '/policies/violations', { token: lead.token });
    t.equal(violations.status, 200);
    t.match(JSON.stringify(violations.body), /gate:leases/, 'the denial is audited as the leases gate');
  },
);

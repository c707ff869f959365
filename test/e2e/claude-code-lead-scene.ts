/**
 * The scene of claude-code-lead.test.ts, run as its child (inside `unshare -rn` when it can). A
 * person's own project, set up only with `fleet mcp install`; then the real `claude -p` there,
 * with no --allowedTools, calls a fleet tool that the scripted model asks for. Controls: without
 * the permission install wrote, the same call is refused; with another fleet's data dir, the
 * server fails and Claude Code's debug log carries `fleet mcp`'s one-line reason.
 *
 * Env: CLAUDE_CODE_BIN (the claude binary), FLEET_E2E_MODE (netns | loopback).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import {
  type MessagesRequest,
  promptsOf,
  startModelApi,
  text,
  toolResultsOf,
  toolResultText,
  toolUse,
} from '../fixtures/model-api/server.js';
import { type CliResult, FLEET_BIN, runProgram, startFleet, waitFor } from '../kit/index.js';

const CLAUDE_BIN = process.env.CLAUDE_CODE_BIN;
if (!CLAUDE_BIN) throw new Error('CLAUDE_CODE_BIN is not set: run this through test/e2e/claude-code-lead.test.ts');
if (process.env.FLEET_E2E_MODE === 'netns') execFileSync('ip', ['link', 'set', 'lo', 'up']);

const FAKE_KEY = 'sk-ant-fake-e2e-lead-not-a-real-key-00000000';
const PROMPT = 'LEAD_STATUS: how is my team doing?';

const root = mkdtempSync(join(tmpdir(), 'fleet-e2e-lead-'));
const home = join(root, 'home');
const scratch = join(root, 'tmp');
for (const dir of [home, scratch]) mkdirSync(dir, { recursive: true, mode: 0o700 });
t.teardown(() => rmSync(root, { recursive: true, force: true }));

interface Run extends CliResult {
  /** Its stdout's JSON lines (stream-json). */
  lines: Record<string, any>[];
}

/** Run a program to completion, stdin closed, with exactly this environment; its stream-json lines parsed. */
async function run(file: string, args: string[], cwd: string, env: Record<string, string>): Promise<Run> {
  const result = await runProgram(file, args, { cwd, env, timeoutMs: 90_000 });
  const lines = result.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, any>);
  return { ...result, lines };
}

/** Pids (other than ours) whose environment holds `entry`. */
function processesWithEnv(entry: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      if (readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(entry))
        found.push(`${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ')}`);
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

t.test('a lead set up only with fleet mcp install calls fleet tools in claude -p', async (t) => {
  // The scripted model: asked for status, it calls the fleet's team_status; then it reports.
  const api = await startModelApi({
    script: (request: MessagesRequest) => {
      if (!request.tools?.length) return text('ok', 'side');
      // Claude Code may add a reminder after the tool result (a server that connected late): look back for it.
      const results = request.messages.flatMap((message) => toolResultsOf(message));
      if (results.length > 0) {
        const result = results.at(-1)!;
        return result.is_error
          ? text(`TOOL FAILED: ${toolResultText(result)}`, 'after-tool-error')
          : text(`TEAM: ${toolResultText(result)}`, 'after-tool');
      }
      if ((promptsOf(request).at(-1) ?? '').includes('LEAD_STATUS'))
        return toolUse('mcp__fleet__team_status', {}, 'call');
      return text('unexpected prompt', 'unexpected');
    },
  });
  t.teardown(() => api.close());
  const fleet = await startFleet(t, { plugins: { auth: true, mail: true, tasks: true } });

  const base = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, TMPDIR: scratch };
  /** `fleet mcp install` in `project`, finding the fleet as the README's "try it" fleet is found. */
  const install = (project: string, args: string[]) =>
    run(process.execPath, [FLEET_BIN, 'mcp', 'install', ...args], project, {
      ...base,
      FLEET_DATA_DIR: fleet.dataDir,
      PORT: new URL(fleet.url).port,
    });
  /** `claude -p` in `project`, with the flags a person would type and no --allowedTools. */
  const claude = (project: string, extra: string[] = []) =>
    run(CLAUDE_BIN, ['-p', PROMPT, '--output-format', 'stream-json', '--verbose', ...extra], project, {
      ...base,
      ANTHROPIC_BASE_URL: api.url,
      ANTHROPIC_API_KEY: FAKE_KEY,
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      DISABLE_TELEMETRY: '1',
      DISABLE_AUTOUPDATER: '1',
      DISABLE_ERROR_REPORTING: '1',
      NO_PROXY: '127.0.0.1,localhost',
    });
  const init = (result: Run) => result.lines.find((line) => line.type === 'system' && line.subtype === 'init');
  const final = (result: Run) => result.lines.find((line) => line.type === 'result');
  const labelsSince = (count: number) =>
    api
      .messages()
      .slice(count)
      .map((entry) => entry.label);

  const project = join(root, 'my-project');
  mkdirSync(project);
  const installed = await install(project, ['--agent', 'lead', '--team', 'alpha', '--type', 'team-lead']);
  t.equal(installed.code, 0, `fleet mcp install: ${installed.stderr}`);
  t.match(installed.stdout, 'permissions.allow += mcp__fleet', 'install says it allowed the tools');

  let before = api.messages().length;
  const allowed = await claude(project);
  // `pending` when Claude Code reports before the server finished starting (tsx when the bundle is stale).
  t.match(
    init(allowed)?.mcp_servers,
    [{ name: 'fleet', status: /^(connected|pending)$/, source: 'project' }],
    'Claude Code started the server from .mcp.json',
  );
  t.equal(final(allowed)?.is_error, false, `claude -p succeeded: ${allowed.stderr.slice(0, 500)}`);
  t.same(final(allowed)?.permission_denials, [], 'nothing was refused');
  t.same(labelsSince(before), ['call', 'after-tool'], 'the model called the fleet tool and got its result');
  const resultText = String(final(allowed)?.result);
  t.match(resultText, /^TEAM: \{/, `the model got the tool's JSON (${resultText.slice(0, 200)})`);
  const answer = resultText.startsWith('TEAM: ') ? (JSON.parse(resultText.slice(6)) as Record<string, any>) : {};
  t.match(
    answer,
    { team: 'alpha', you: { handle: 'lead', agentType: 'team-lead' } },
    'team_status answered as the lead',
  );
  t.equal(allowed.code, 0, 'claude exits 0');

  // Control: without the rule install wrote, the same run is refused (so the rule is what allowed it).
  const settingsPath = join(project, '.claude', 'settings.local.json');
  const settings = JSON.parse(readFileSync(settingsPath, 'utf8')) as { permissions: { allow: string[] } };
  writeFileSync(
    settingsPath,
    JSON.stringify({ ...settings, permissions: { ...settings.permissions, allow: [] } }, null, 2),
  );
  before = api.messages().length;
  const refused = await claude(project);
  t.match(
    final(refused)?.permission_denials,
    [{ tool_name: 'mcp__fleet__team_status' }],
    'without mcp__fleet in permissions.allow, claude -p refuses the fleet tool',
  );
  t.same(labelsSince(before), ['call', 'after-tool-error']);

  // Running install again puts the rule back, and keeps the agent it registered.
  const again = await install(project, []);
  t.equal(again.code, 0, again.stderr);
  t.same(
    (JSON.parse(readFileSync(settingsPath, 'utf8')) as typeof settings).permissions.allow,
    ['mcp__fleet'],
    'the rule is back',
  );
  before = api.messages().length;
  const restored = await claude(project);
  t.same(final(restored)?.permission_denials, [], 'allowed again');
  t.same(labelsSince(before), ['call', 'after-tool']);

  // Another fleet's data dir: the server cannot register, exits with its reason, Claude Code logs it.
  const other = join(root, 'other-fleet');
  mkdirSync(other);
  writeFileSync(join(other, 'admin.key'), 'another-fleets-key\n', { mode: 0o600 });
  const wrong = join(root, 'wrong-project');
  mkdirSync(wrong);
  const skipped = await install(wrong, ['--agent', 'lead', '--data-dir', other, '--skip-check']);
  t.equal(skipped.code, 0, skipped.stderr);
  const debugFile = join(root, 'claude-debug.txt');
  const failed = await claude(wrong, ['--debug-file', debugFile]);
  t.match(init(failed)?.mcp_servers, [{ name: 'fleet', status: /^(failed|pending)$/ }], 'the server is not connected');
  t.match(final(failed)?.result, /^TOOL FAILED: .*No such tool available: mcp__fleet__team_status/, 'so no fleet tool');
  const debug = existsSync(debugFile) ? readFileSync(debugFile, 'utf8') : '';
  const reason =
    `fleet mcp: the fleet at ${fleet.url} refused the admin key from ${join(other, 'admin.key')} ` +
    '(403 Invalid token)';
  t.ok(debug.includes(reason), `Claude Code's debug log has the server's one-line reason: ${reason}`);
  if (!debug.includes(reason))
    t.comment(
      debug
        .split('\n')
        .filter((line) => line.includes('"fleet"'))
        .join('\n'),
    );
});

t.test('the scene leaves nothing behind', async (t) => {
  const left = await waitFor(
    'claude and its MCP servers to exit',
    () => (processesWithEnv(`HOME=${home}`).length === 0 ? [] : undefined),
    10_000,
    200,
  ).catch(() => processesWithEnv(`HOME=${home}`));
  t.same(left, [], 'no claude, no fleet mcp left');
});

/**
 * The fleet policy's PreToolUse hook in the real Claude Code (issue 11, item 3): the pinned `claude`
 * CLI against our scripted Messages API, with the hook settings the policy plugin gives its workers.
 * The scene is claude-code-policy-scene.ts; this file decides where it runs, as claude-code.test.ts
 * does: inside `unshare -rn` (a network namespace with only its own loopback) when it can, else on
 * plain loopback with Claude Code's non-essential-traffic switches. Skipped, with the reason, only
 * when the claude binary is not installed (a failure when FLEET_E2E_REQUIRE_CLAUDE=1, as CI sets).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const SCENE = fileURLToPath(new URL('./claude-code-policy-scene.ts', import.meta.url));
const INSTALL_DIR = process.env.CLAUDE_CODE_DIR ?? join(homedir(), '.cache', 'claude-fleet', 'claude-code');
const CLAUDE_BIN =
  process.env.CLAUDE_CODE_BIN ?? join(INSTALL_DIR, 'node_modules', '@anthropic-ai', 'claude-code', 'bin', 'claude.exe');

/** Whether a private network namespace with its loopback up can be made here. */
function netnsProbe(): { ok: true } | { ok: false; reason: string } {
  if (process.env.FLEET_E2E_NETNS === '0') return { ok: false, reason: 'FLEET_E2E_NETNS=0' };
  try {
    execFileSync('unshare', ['-rn', 'ip', 'link', 'set', 'lo', 'up'], { stdio: 'pipe', timeout: 10_000 });
    return { ok: true };
  } catch (error) {
    const stderr = String((error as { stderr?: Buffer }).stderr ?? '').trim();
    return { ok: false, reason: stderr || (error as Error).message };
  }
}

if (!existsSync(CLAUDE_BIN)) {
  const reason = `Claude Code is not installed at ${CLAUDE_BIN}: run \`bash scripts/install-claude-code.sh\` (CI does)`;
  if (process.env.FLEET_E2E_REQUIRE_CLAUDE === '1') t.fail(reason);
  else t.plan(0, reason);
} else {
  const probe = netnsProbe();
  const mode = probe.ok ? 'netns' : 'loopback';
  if (!probe.ok) t.comment(`unshare -rn is not available (${probe.reason}): running on plain loopback`);
  const nodeArgs = ['--import=tsx', SCENE];
  const [command, args] = probe.ok
    ? ['unshare', ['-rn', '--', process.execPath, ...nodeArgs]]
    : [process.execPath, nodeArgs];
  await t.spawn(
    command,
    args,
    { cwd: REPO, env: { ...process.env, CLAUDE_CODE_BIN: CLAUDE_BIN, FLEET_E2E_MODE: mode }, timeout: 170_000 },
    `the policy hook in real Claude Code (${mode === 'netns' ? 'private network namespace' : 'plain loopback'})`,
  );
}

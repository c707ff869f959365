/**
 * Running a scene with the real Claude Code CLI (the pinned one scripts/install-claude-code.sh
 * installs; .ci/run does): the scene file runs as a child process
 *  - netns: inside `unshare -rn`, a private network namespace whose only interface is its own
 *    loopback, so nothing can leave the machine (CI runs as root);
 *  - loopback: plain 127.0.0.1 with Claude Code's non-essential-traffic switches, where unshare is
 *    not allowed (or FLEET_E2E_NETNS=0).
 * Skipped, with the reason, only when the claude binary is not installed: a failure instead under
 * FLEET_E2E_REQUIRE_CLAUDE=1, as .ci/run sets. CLAUDE_CODE_BIN (or CLAUDE_CODE_DIR, as for the
 * install script) points elsewhere. The scene gets CLAUDE_CODE_BIN and FLEET_E2E_MODE.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Test } from 'tap';
import { REPO_ROOT } from './paths.js';

const INSTALL_DIR = process.env.CLAUDE_CODE_DIR ?? join(homedir(), '.cache', 'claude-fleet', 'claude-code');
export const CLAUDE_BIN =
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

/** Run `scene` (a file URL or path of a .ts scene) with the real Claude Code, as its own tap subtest. */
export async function runClaudeCodeScene(
  t: Test,
  options: { scene: URL | string; title: string; timeoutMs?: number },
): Promise<void> {
  if (!existsSync(CLAUDE_BIN)) {
    const install = '`bash scripts/install-claude-code.sh` (CI does)';
    const reason = `Claude Code is not installed at ${CLAUDE_BIN}: run ${install}`;
    if (process.env.FLEET_E2E_REQUIRE_CLAUDE === '1') t.fail(reason);
    else t.plan(0, reason);
    return;
  }
  const scene = options.scene instanceof URL ? fileURLToPath(options.scene) : options.scene;
  const probe = netnsProbe();
  const mode = probe.ok ? 'netns' : 'loopback';
  if (!probe.ok)
    t.comment(
      `unshare -rn is not available (${probe.reason}): ` +
        'running on plain loopback with the non-essential-traffic switches',
    );
  const nodeArgs = ['--import=tsx', scene];
  const [command, args] = probe.ok
    ? ['unshare', ['-rn', '--', process.execPath, ...nodeArgs]]
    : [process.execPath, nodeArgs];
  await t.spawn(
    command,
    args,
    {
      cwd: REPO_ROOT,
      env: { ...process.env, CLAUDE_CODE_BIN: CLAUDE_BIN, FLEET_E2E_MODE: mode },
      timeout: options.timeoutMs ?? 170_000,
    },
    `${options.title} (${mode === 'netns' ? 'private network namespace' : 'plain loopback'})`,
  );
}

/**
 * A lead set up only with `fleet mcp install`, driven by the real Claude Code CLI (the pinned one
 * scripts/install-claude-code.sh installs) against the scripted Messages API. The scene is
 * claude-code-lead-scene.ts; like claude-code.test.ts, this file runs it inside `unshare -rn` (a
 * private network namespace, loopback only) when it can, else on plain loopback with Claude Code's
 * non-essential-traffic switches. Skipped only when the claude binary is not installed (a failure
 * under FLEET_E2E_REQUIRE_CLAUDE=1, as .ci/run sets).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const SCENE = fileURLToPath(new URL('./claude-code-lead-scene.ts', import.meta.url));
const INSTALL_DIR = process.env.CLAUDE_CODE_DIR ?? join(homedir(), '.cache', 'claude-fleet', 'claude-code');
const CLAUDE_BIN =
  process.env.CLAUDE_CODE_BIN ?? join(INSTALL_DIR, 'node_modules', '@anthropic-ai', 'claude-code', 'bin', 'claude.exe');

/** Whether a private network namespace with its loopback up can be made here. */
function netnsWorks(): boolean {
  if (process.env.FLEET_E2E_NETNS === '0') return false;
  try {
    execFileSync('unshare', ['-rn', 'ip', 'link', 'set', 'lo', 'up'], { stdio: 'pipe', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

if (!existsSync(CLAUDE_BIN)) {
  const reason = `Claude Code is not installed at ${CLAUDE_BIN}: run \`bash scripts/install-claude-code.sh\` (CI does)`;
  if (process.env.FLEET_E2E_REQUIRE_CLAUDE === '1') t.fail(reason);
  else t.plan(0, reason);
} else {
  const netns = netnsWorks();
  const nodeArgs = ['--import=tsx', SCENE];
  const [command, args] = netns
    ? ['unshare', ['-rn', '--', process.execPath, ...nodeArgs]]
    : [process.execPath, nodeArgs];
  await t.spawn(
    command,
    args,
    {
      cwd: REPO,
      env: { ...process.env, CLAUDE_CODE_BIN: CLAUDE_BIN, FLEET_E2E_MODE: netns ? 'netns' : 'loopback' },
      timeout: 170_000,
    },
    `a lead set up with fleet mcp install, in real Claude Code (${netns ? 'private network namespace' : 'loopback'})`,
  );
}

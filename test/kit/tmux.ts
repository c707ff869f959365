import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TestLike } from './test-like.js';

let counter = 0;

/** A tmux socket name no other test (or run) uses. */
export function uniqueSocket(tag = 'w'): string {
  return `fleet-test-${process.pid}-${tag}-${Date.now().toString(36)}${counter++}`;
}

/** Where `tmux -L <name>` puts its socket (tmux honours TMUX_TMPDIR, else /tmp; not TMPDIR). */
export function tmuxSocketPath(name: string): string {
  return join(process.env.TMUX_TMPDIR || '/tmp', `tmux-${process.getuid?.() ?? 0}`, name);
}

/** Run tmux on a private socket with an argument array; throws on failure. */
export function tmuxSync(socket: string, args: readonly string[]): string {
  return execFileSync('tmux', ['-L', socket, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 10_000,
  });
}

/**
 * Kill a private tmux server (everything in its panes gets SIGHUP) and remove its socket file
 * (kill-server leaves it behind).
 */
export function killTmuxServer(socket: string): void {
  try {
    execFileSync('tmux', ['-L', socket, 'kill-server'], { stdio: 'ignore', timeout: 10_000 });
  } catch {
    // no server running
  }
  rmSync(tmuxSocketPath(socket), { force: true });
}

/** A private tmux socket for this test: its server killed and its socket file removed at teardown. */
export function privateTmux(t: TestLike, tag?: string): string {
  const socket = uniqueSocket(tag);
  t.teardown(() => killTmuxServer(socket));
  return socket;
}

/**
 * SIGSTOP a pane host, so its heartbeats stop and what the fleet writes to it stays unread; returns
 * the thaw (safe to call twice). tmux continues a stopped pane process at once (server_child_stopped
 * in tmux's server.c sends SIGCONT; SIGTSTP/SIGTTIN are discarded for a pane's orphaned process
 * group), so the tmux server is SIGSTOPped first and continued after the host.
 */
export function freezePaneHost(socket: string, hostPid: number): () => void {
  const serverPid = Number(tmuxSync(socket, ['display-message', '-p', '#{pid}']).trim());
  process.kill(serverPid, 'SIGSTOP');
  process.kill(hostPid, 'SIGSTOP');
  let thawed = false;
  return () => {
    if (thawed) return;
    thawed = true;
    for (const pid of [hostPid, serverPid]) {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        // gone
      }
    }
  };
}

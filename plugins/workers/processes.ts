import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { workerFiles } from '../../core/index.js';

/** Whether a pid exists (a zombie counts). */
export const alive = (pid: number | undefined): boolean => {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Whether a process runs: alive and not a zombie. A pane host that died can stay a zombie of the
 * tmux server for minutes (libutempter makes tmux miss its SIGCHLD): that host is gone.
 */
export const running = (pid: number | undefined): boolean => {
  if (!alive(pid)) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2] !== 'Z';
  } catch {
    return true; // no /proc (macOS): kill(pid, 0) is all there is
  }
};

/**
 * SIGKILL what is left of a worker's agent process group (host.json names its leader). On Linux
 * the group is ended only if one of its processes is this worker's agent (its environment names
 * the worker: its team and its handle), so a pid reused while the server was down is never hit,
 * not even by another team's worker of the same handle.
 */
export function endAgentGroup(dir: string, teamName: string, handle: string): void {
  const file = workerFiles(dir).host;
  if (!existsSync(file)) return;
  let agentPid: number | undefined;
  try {
    agentPid = (JSON.parse(readFileSync(file, 'utf8')) as { agentPid?: number }).agentPid;
  } catch {
    return;
  }
  if (!agentPid) return;
  try {
    process.kill(-agentPid, 0);
  } catch {
    return; // the group is gone
  }
  if (existsSync('/proc/self/stat')) {
    const markers = [`CLAUDE_CODE_TEAM_NAME=${teamName}`, `CLAUDE_CODE_AGENT_NAME=${handle}`];
    const members = readdirSync('/proc').filter((entry) => {
      if (!/^\d+$/.test(entry)) return false;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) === agentPid;
      } catch {
        return false;
      }
    });
    const ours = members.some((pid) => {
      try {
        const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
        return markers.every((marker) => environ.includes(marker));
      } catch {
        return false;
      }
    });
    if (!ours) return;
  }
  try {
    process.kill(-agentPid, 'SIGKILL');
  } catch {
    // ended meanwhile
  }
}

/**
 * A fleet with the real workers plugin next to auth, mail and tasks (not a test file itself): tmux
 * on a private socket, the test fake agent as `claude`, and a rate limit the tests never reach.
 * Pane hosts, agents and the tmux server are ended at teardown.
 */
import { startFleet, type TestFleet, type TestLike } from '../../test/harness.js';
import { fakeAgentWorkers, killTmuxServer, killWorkerProcesses, uniqueSocket, waitFor } from '../../test/workers/helpers.js';
import type { Agent } from '../mail/test-support.js';

export interface WorkersFleet {
  fleet: TestFleet;
  /** POST /orchestrate/spawn as `lead` (the worker runs in the fleet's data dir). */
  spawn(lead: Agent, handle: string, initialPrompt?: string): Promise<{ status: number; body: any }>;
  /** Poll GET /orchestrate/workers until the worker matches. */
  waitWorker(lead: Agent, handle: string, match: (worker: any) => boolean, what: string): Promise<any>;
}

export async function startWorkersFleet(t: TestLike): Promise<WorkersFleet> {
  const socket = uniqueSocket('tasks');
  const fleet = await startFleet(t, {
    plugins: { auth: true, mail: true, tasks: true, workers: fakeAgentWorkers() },
    config: { tmux: { socket, session: 'fleet' }, server: { rateLimit: { max: 1_000_000 } } },
  });
  // Teardowns run last-in first-out: stop the server (so nothing restarts a worker), then end the
  // pane hosts and agents, then tmux; the kernel's own teardown then finds it stopped.
  t.teardown(async () => {
    await fleet.kernel.stop();
    killWorkerProcesses(fleet.dataDir);
    killTmuxServer(socket);
  });
  const workers = async (lead: Agent) => (await fleet.request('GET', '/orchestrate/workers', { token: lead.token })).body as any[];
  return {
    fleet,
    spawn: (lead, handle, initialPrompt) => fleet.request('POST', '/orchestrate/spawn', { token: lead.token, body: { handle, workingDir: fleet.dataDir, initialPrompt } }),
    waitWorker: (lead, handle, match, what) =>
      waitFor(`${handle}: ${what}`, async () => {
        const worker = (await workers(lead)).find((w) => w.handle === handle);
        return worker && match(worker) ? worker : undefined;
      }, 30_000),
  };
}

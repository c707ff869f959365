/**
 * Fleets with the real workers plugin next to auth, mail and tasks: tmux on a private socket (see
 * startFleet), the test fake agent as `claude`, a rate limit the tests never reach. Pane hosts,
 * agents and the tmux server are ended after the kernel stops. Two shapes: startWorkerFleet (a lead
 * of its own, calls by handle: the workers suites) and startWorkersFleet (calls as the test's own
 * agents: the tasks suites).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Plugins, startFleet, type TestFleet } from './fleet.js';
import { FAKE_AGENT } from './paths.js';
import type { TestLike } from './test-like.js';
import { waitFor } from './wait.js';

/** The workers plugin options that run the fake agent as `claude` (merged with `extra`). */
export function fakeAgentWorkers(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { claude: { command: [process.execPath, FAKE_AGENT] }, heartbeatSeconds: 1, ...extra };
}

export interface WorkerFleetOptions {
  /** Workers plugin options over fakeAgentWorkers()'s. */
  workers?: Record<string, unknown>;
  /** Other plugins over { auth, mail, tasks }. */
  plugins?: Plugins;
  /** plugins.workers.max (default 10). */
  max?: number;
  /** The team of the lead registered for the calls (default alpha). */
  team?: string;
}

/** A fleet with the workers plugin running the fake agent; tests poll, so no rate limit in reach. */
function startFakeAgentFleet(t: TestLike, options: WorkerFleetOptions): Promise<TestFleet> {
  return startFleet(t, {
    plugins: {
      auth: true,
      mail: true,
      tasks: true,
      workers: fakeAgentWorkers({ max: options.max ?? 10, ...options.workers }),
      ...options.plugins,
    },
    config: { log: { level: 'debug' }, server: { rateLimit: { max: 1_000_000 } } },
  });
}

/** GET /orchestrate/workers as `token`: the worker with this handle, if listed. */
async function findWorker(fleet: TestFleet, token: string, handle: string): Promise<any> {
  const response = await fleet.request('GET', '/orchestrate/workers', { token });
  if (response.status !== 200) {
    throw new Error(`GET /orchestrate/workers: ${response.status} ${JSON.stringify(response.body)}`);
  }
  return (response.body as any[]).find((w) => w.handle === handle);
}

/** The workers suites' fleet: a registered team lead, calls by worker handle. */
export interface WorkerFleet {
  fleet: TestFleet;
  /** The private tmux socket (plugins.workers.tmux.socket). */
  socket: string;
  team: string;
  /** The token of `lead`, team lead of `team`. */
  lead: string;
  /** POST /orchestrate/spawn (the worker runs in the fleet's data dir unless body says otherwise). */
  spawn(handle: string, body?: Record<string, unknown>, token?: string): Promise<{ status: number; body: any }>;
  /** The worker as GET /orchestrate/workers lists it. */
  worker(handle: string, token?: string): Promise<any>;
  /** Poll GET /orchestrate/workers until the worker matches. */
  waitWorker(handle: string, match: (worker: any) => boolean, what: string, timeoutMs?: number): Promise<any>;
  /** The pids in the worker's host.json (a worker of `team`, by default the lead's). */
  host(handle: string, team?: string): { hostPid: number; agentPid: number };
  /** Where a worker spawned now keeps its files: <dataDir>/workers/<team>/<handle> (the lead's team by default). */
  workerDir(handle: string, team?: string): string;
  /** Every line of the worker's output through the API, paging with the cursor from 0. */
  allOutput(handle: string, limit?: number): Promise<{ offset: number; text: string }[]>;
}

/** Auth, mail, tasks and workers (the fake agent as `claude`) on a private tmux socket, with a team lead. */
export async function startWorkerFleet(t: TestLike, options: WorkerFleetOptions = {}): Promise<WorkerFleet> {
  const fleet = await startFakeAgentFleet(t, options);
  const team = options.team ?? 'alpha';
  const lead = (await fleet.register('lead', team, 'team-lead')).token;
  const workerDir = (handle: string, ofTeam = team) => join(fleet.dataDir, 'workers', ofTeam, handle);
  const api: WorkerFleet = {
    fleet,
    socket: fleet.tmuxSocket!,
    team,
    lead,
    spawn: (handle, body = {}, token = lead) =>
      fleet.request('POST', '/orchestrate/spawn', { token, body: { handle, workingDir: fleet.dataDir, ...body } }),
    worker: (handle, token = lead) => findWorker(fleet, token, handle),
    async waitWorker(handle, match, what, timeoutMs = 20_000) {
      let seen: unknown;
      try {
        return await waitFor(
          `${handle}: ${what}`,
          async () => {
            const worker = await api.worker(handle);
            seen = worker;
            return worker && match(worker) ? worker : undefined;
          },
          timeoutMs,
        );
      } catch (error) {
        // Say where the worker stood: "last: undefined" alone does not tell a stuck state from a missing worker.
        throw new Error(`${(error as Error).message}; the worker was ${JSON.stringify(seen)}`, { cause: error });
      }
    },
    host: (handle, ofTeam) =>
      JSON.parse(readFileSync(join(workerDir(handle, ofTeam), 'host.json'), 'utf8')) as {
        hostPid: number;
        agentPid: number;
      },
    workerDir,
    async allOutput(handle, limit = 1000) {
      const lines: { offset: number; text: string }[] = [];
      let cursor = 0;
      for (;;) {
        const path = `/orchestrate/output/${handle}?cursor=${cursor}&limit=${limit}`;
        const page = await fleet.request('GET', path, { token: lead });
        if (page.status !== 200) throw new Error(`output ${handle}: ${page.status} ${JSON.stringify(page.body)}`);
        lines.push(...page.body.lines);
        if (page.body.lines.length === 0) return lines;
        cursor = page.body.cursor;
      }
    },
  };
  return api;
}

/** The tasks suites' fleet: no agent registered (the test registers its teams), calls as a given lead. */
export interface WorkersFleet {
  fleet: TestFleet;
  /** POST /orchestrate/spawn as `lead` (the worker runs in the fleet's data dir). */
  spawn(lead: { token: string }, handle: string, initialPrompt?: string): Promise<{ status: number; body: any }>;
  /** Poll GET /orchestrate/workers as `lead` until the worker matches (30 s). */
  waitWorker(lead: { token: string }, handle: string, match: (worker: any) => boolean, what: string): Promise<any>;
}

/** Auth, mail, tasks and workers (the fake agent as `claude`) on a private tmux socket, no agent yet. */
export async function startWorkersFleet(
  t: TestLike,
  options: Omit<WorkerFleetOptions, 'team'> = {},
): Promise<WorkersFleet> {
  const fleet = await startFakeAgentFleet(t, options);
  return {
    fleet,
    spawn: (lead, handle, initialPrompt) =>
      fleet.request('POST', '/orchestrate/spawn', {
        token: lead.token,
        body: { handle, workingDir: fleet.dataDir, initialPrompt },
      }),
    waitWorker: (lead, handle, match, what) =>
      waitFor(
        `${handle}: ${what}`,
        async () => {
          const worker = await findWorker(fleet, lead.token, handle);
          return worker && match(worker) ? worker : undefined;
        },
        30_000,
      ),
  };
}

/** The lines of a log file as the output API should report them (complete lines only). */
export function logLines(path: string): { offset: number; text: string }[] {
  const buffer = readFileSync(path);
  const lines: { offset: number; text: string }[] = [];
  let at = 0;
  for (;;) {
    const end = buffer.indexOf(0x0a, at);
    if (end === -1) return lines;
    lines.push({ offset: at, text: buffer.toString('utf8', at, end).replace(/\r$/, '') });
    at = end + 1;
  }
}

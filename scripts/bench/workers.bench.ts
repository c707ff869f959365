/**
 * Workers benchmark, against a real `fleet up` child process with its own tmux server:
 *  1. spawn-to-ready latency of the fake agent (POST /orchestrate/spawn → the worker_state `ready`
 *     event at a WebSocket client, i.e. pane host up and the agent's session id captured), p50/p95
 *     over 20 spawns, each dismissed before the next (dismiss latency alongside);
 *  2. server memory (RSS, heap) from GET /debug with no workers and with 20 live workers;
 *  3. output throughput from an agent to a WebSocket client: a command adapter prints N lines as
 *     fast as it can; lines/s and MB/s as the client receives worker_output events.
 * Run with `npm run bench workers`. BENCH_WORKERS_LINES sets N (default 100000).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { type FleetProcess, startFleetProcess, stopFleetProcess } from './lib/fleet-process.js';
import { machineNote } from './lib/settings.js';
import { formatNumber, formatTable } from './lib/table.js';
import { percentile } from './lib/percentile.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FAKE_AGENT = join(ROOT, 'test/fixtures/fake-agent.mjs');
const SPAWNS = 20;
const LIVE = 20;
const LINES = Math.max(1000, Number(process.env.BENCH_WORKERS_LINES ?? 100_000));
const LINE_PAD = 'x'.repeat(80);

/** FLOOD's write of what it has gathered, once that reaches 64 KiB. */
const FLUSH = "if (out.length >= 65536) { process.stdout.write(out); out = ''; }";

/** Prints N lines (`line <i> xxx…`, ~90 bytes each) in 64 KiB writes, then stays up. */
const FLOOD = `
const n = Number(process.argv[1]); const pad = ${JSON.stringify(LINE_PAD)}; let out = '';
for (let i = 0; i < n; i++) { out += 'line ' + i + ' ' + pad + '\\n'; ${FLUSH} }
process.stdout.write(out); setInterval(() => {}, 1000);`;

type Message = Record<string, any>;

const sleep = (ms: number) => new Promise((resolveSleep) => setTimeout(resolveSleep, ms));

/** A WebSocket client of the team: every message, and waiters for one that matches. */
class TeamSocket {
  readonly waiters = new Set<{ match: (m: Message) => boolean; resolve: (m: Message) => void }>();
  onMessage: ((m: Message) => void) | undefined;
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      // ws hands over a Buffer: no binaryType is set.
      const message = JSON.parse((data as Buffer).toString('utf8')) as Message;
      this.onMessage?.(message);
      for (const waiter of this.waiters) {
        if (waiter.match(message)) {
          this.waiters.delete(waiter);
          waiter.resolve(message);
        }
      }
    });
  }
  static async open(url: string, token: string): Promise<TeamSocket> {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws`);
    await new Promise<void>((resolveOpen, reject) => {
      ws.once('open', () => resolveOpen());
      ws.once('error', reject);
    });
    const socket = new TeamSocket(ws);
    const authenticated = socket.next((m) => m.type === 'authenticated' || m.type === 'error', 5000);
    ws.send(JSON.stringify({ type: 'auth', token }));
    if ((await authenticated).type !== 'authenticated') throw new Error('ws auth failed');
    return socket;
  }
  next(match: (m: Message) => boolean, timeoutMs: number): Promise<Message> {
    return new Promise((resolveNext, reject) => {
      const waiter = {
        match,
        resolve: (m: Message) => {
          clearTimeout(timer);
          resolveNext(m);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`no matching ws message within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }
}

/** The fleet under test: the fake agent as Claude, and the flood command, up to LIVE + 5 workers. */
function startFleet(dir: string): Promise<FleetProcess> {
  return startFleetProcess(
    dir,
    (socket) => ({
      auth: true,
      mail: true,
      tasks: true,
      workers: {
        max: LIVE + 5,
        tmux: { socket, session: 'bench' },
        claude: { command: [process.execPath, FAKE_AGENT] },
        commands: { flood: { argv: [process.execPath, '-e', FLOOD, String(LINES)] } },
      },
    }),
    { FAKE_AGENT_STATE_DIR: dir },
  );
}

/** RSS (kB) of the given pids from /proc, for the worker processes' own footprint. */
function rssKb(pids: number[]): number {
  let total = 0;
  for (const pid of pids) {
    try {
      const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (match) total += Number(match[1]);
    } catch {
      // gone
    }
  }
  return total;
}

async function spawnLatency(fleet: FleetProcess, ws: TeamSocket): Promise<{ ready: number[]; dismiss: number[] }> {
  const ready: number[] = [];
  const dismiss: number[] = [];
  for (let i = 0; i < SPAWNS; i++) {
    const handle = `lat-${i}`;
    const isReady = ws.next((m) => m.type === 'worker_state' && m.handle === handle && m.state === 'ready', 30_000);
    // Both waiters before the spawn: the fake agent can be idle before `ready` has been awaited.
    const isIdle = ws.next((m) => m.type === 'worker_state' && m.handle === handle && m.state === 'idle', 30_000);
    const started = performance.now();
    const spawned = await fleet.request('POST', '/orchestrate/spawn', {
      handle,
      initialPrompt: 'hello',
      workingDir: fleet.dataDir,
    });
    if (spawned.status !== 201) throw new Error(`spawn ${handle}: ${spawned.status} ${JSON.stringify(spawned.body)}`);
    await isReady;
    ready.push(performance.now() - started);
    await isIdle;
    const stopping = performance.now();
    const dismissed = await fleet.request('POST', `/orchestrate/dismiss/${handle}`);
    if (dismissed.status !== 200) throw new Error(`dismiss ${handle}: ${dismissed.status}`);
    dismiss.push(performance.now() - stopping);
  }
  return { ready, dismiss };
}

interface Memory {
  rss: number;
  heapUsed: number;
  heapTotal: number;
}

async function serverMemory(fleet: FleetProcess): Promise<Memory> {
  // The process's memory is the operator's to see (a lead gets its team's view only).
  const debug = await fleet.adminRequest('GET', '/debug');
  return debug.body.memory as Memory;
}

async function liveMemory(
  fleet: FleetProcess,
  ws: TeamSocket,
): Promise<{ before: Memory; after: Memory; workerRssKb: number }> {
  const before = await serverMemory(fleet);
  const idle = [];
  for (let i = 0; i < LIVE; i++) {
    const handle = `live-${i}`;
    idle.push(ws.next((m) => m.type === 'worker_state' && m.handle === handle && m.state === 'idle', 60_000));
    const spawned = await fleet.request('POST', '/orchestrate/spawn', {
      handle,
      initialPrompt: 'hello',
      workingDir: fleet.dataDir,
    });
    if (spawned.status !== 201) throw new Error(`spawn ${handle}: ${spawned.status} ${JSON.stringify(spawned.body)}`);
  }
  await Promise.all(idle);
  const listed = (await fleet.request('GET', '/orchestrate/workers')).body as { handle: string; state: string }[];
  const live = listed.filter((w) => w.handle.startsWith('live-') && w.state === 'idle').length;
  if (live !== LIVE) throw new Error(`expected ${LIVE} live workers, have ${live}`);
  await sleep(2000);
  const after = await serverMemory(fleet);
  const pids = Array.from(
    { length: LIVE },
    (_, i) =>
      JSON.parse(readFileSync(join(fleet.dataDir, 'workers', 'bench', `live-${i}`, 'host.json'), 'utf8')) as {
        hostPid: number;
        agentPid: number;
      },
  ).flatMap((h) => [h.hostPid, h.agentPid]);
  const workerRssKb = rssKb(pids);
  await Promise.all(Array.from({ length: LIVE }, (_, i) => fleet.request('POST', `/orchestrate/dismiss/live-${i}`)));
  return { before, after, workerRssKb };
}

async function throughput(
  fleet: FleetProcess,
  ws: TeamSocket,
): Promise<{ lines: number; bytes: number; firstToLastMs: number; spawnToLastMs: number }> {
  let received = 0;
  let bytes = 0;
  let first = 0;
  const last = `line ${LINES - 1} ${LINE_PAD}`;
  const done = ws.next((m) => m.type === 'worker_output' && m.handle === 'flood' && m.line === last, 300_000);
  ws.onMessage = (m) => {
    if (m.type !== 'worker_output' || m.handle !== 'flood') return;
    if (received === 0) first = performance.now();
    received++;
    bytes += Buffer.byteLength(m.line) + 1;
  };
  const started = performance.now();
  const spawned = await fleet.request('POST', '/orchestrate/spawn', {
    handle: 'flood',
    adapter: 'flood',
    workingDir: fleet.dataDir,
  });
  if (spawned.status !== 201) throw new Error(`spawn flood: ${spawned.status} ${JSON.stringify(spawned.body)}`);
  await done;
  const ended = performance.now();
  ws.onMessage = undefined;
  if (received !== LINES) throw new Error(`the client got ${received} of ${LINES} lines`);
  await fleet.request('POST', '/orchestrate/dismiss/flood');
  return { lines: received, bytes, firstToLastMs: ended - first, spawnToLastMs: ended - started };
}

const mb = (bytes: number) => bytes / (1024 * 1024);

async function main(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-bench-workers-'));
  let fleet: FleetProcess | undefined;
  process.once('SIGINT', () => {
    stopFleetProcess(fleet, dir);
    process.exit(130);
  });
  try {
    fleet = await startFleet(dir);
    const ws = await TeamSocket.open(fleet.url, fleet.lead);
    process.stdout.write(
      `workers: fleet up (pid ${fleet.child.pid}) on ${fleet.url}, tmux -L ${fleet.socket}; fake agent ${FAKE_AGENT}\n`,
    );

    process.stdout.write(`workers: ${SPAWNS} spawns, one at a time ...\n`);
    const latency = await spawnLatency(fleet, ws);
    const ready = [...latency.ready].sort((a, b) => a - b);
    const dismiss = [...latency.dismiss].sort((a, b) => a - b);

    process.stdout.write(`workers: ${LIVE} live workers ...\n`);
    const memory = await liveMemory(fleet, ws);

    process.stdout.write(`workers: ${formatNumber(LINES)} lines from one agent to a WebSocket client ...\n`);
    const flow = await throughput(fleet, ws);

    const ms = (v: number) => formatNumber(v, 0);
    const mib = (v: number) => formatNumber(mb(v), 1);
    process.stdout.write(
      [
        '',
        `Spawn to ready (fake agent, pane host in a tmux window, session id captured), ${SPAWNS} spawns, ms:`,
        formatTable(
          ['measure', 'p50', 'p95', 'min', 'max'],
          [
            ['spawn → ready', ms(percentile(ready, 50)), ms(percentile(ready, 95)), ms(ready[0]!), ms(ready.at(-1)!)],
            [
              'dismiss (answer)',
              ms(percentile(dismiss, 50)),
              ms(percentile(dismiss, 95)),
              ms(dismiss[0]!),
              ms(dismiss.at(-1)!),
            ],
          ],
        ),
        '',
        `Server memory (GET /debug of the fleet up process), MiB:`,
        formatTable(
          ['state', 'RSS', 'heap used', 'heap total'],
          [
            [
              'no live workers (after the spawn round)',
              mib(memory.before.rss),
              mib(memory.before.heapUsed),
              mib(memory.before.heapTotal),
            ],
            [`${LIVE} live workers`, mib(memory.after.rss), mib(memory.after.heapUsed), mib(memory.after.heapTotal)],
            [
              'difference',
              mib(memory.after.rss - memory.before.rss),
              mib(memory.after.heapUsed - memory.before.heapUsed),
              mib(memory.after.heapTotal - memory.before.heapTotal),
            ],
          ],
        ),
        `(the ${LIVE} pane hosts and fake agents themselves: ` +
          `${formatNumber(memory.workerRssKb / 1024, 0)} MiB RSS in all, outside the server)`,
        '',
        'Output throughput, agent → log → server → WebSocket client ' +
          `(${formatNumber(flow.lines)} lines, ${mib(flow.bytes)} MiB):`,
        formatTable(
          ['window', 'ms', 'lines/s', 'MB/s'],
          [
            [
              'first line → last line at the client',
              ms(flow.firstToLastMs),
              formatNumber(flow.lines / (flow.firstToLastMs / 1000)),
              formatNumber(flow.bytes / 1e6 / (flow.firstToLastMs / 1000), 1),
            ],
            [
              'spawn request → last line at the client',
              ms(flow.spawnToLastMs),
              formatNumber(flow.lines / (flow.spawnToLastMs / 1000)),
              formatNumber(flow.bytes / 1e6 / (flow.spawnToLastMs / 1000), 1),
            ],
          ],
        ),
        machineNote().replace('the load client and the server', 'the server, the client, tmux and the agents'),
        '',
      ].join('\n'),
    );
    ws.ws.terminate();
    fleet.child.kill('SIGTERM');
    await new Promise((resolveExit) =>
      fleet!.child.exitCode !== null ? resolveExit(undefined) : fleet!.child.once('exit', resolveExit),
    );
    return 0;
  } catch (error) {
    process.stderr.write(`workers bench failed: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  } finally {
    stopFleetProcess(fleet, dir);
  }
}

process.exitCode = await main();

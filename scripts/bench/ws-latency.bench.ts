/**
 * WebSocket delivery latency: from `spine.publish` to the message arriving at each of 100
 * authenticated clients of the team, p50/p99/max, with the spine on the native ringbus and on the
 * fallback. Each side runs in its own process (the loader's choice is made once per process);
 * clients and server share that process and its event loop, so figures include both ends.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { formatNumber, formatTable } from './lib/table.js';
import { percentile } from './lib/percentile.js';

const CLIENTS = 100;
const EVENTS = Math.max(1, Number(process.env.BENCH_WS_EVENTS ?? 400));
const GAP_MS = 2;

interface SideResult {
  implementation: string;
  deliveries: number;
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

/** One side, in this process: boot a fleet, connect the clients, publish, measure. */
async function measureHere(): Promise<SideResult> {
  const { WebSocket } = await import('ws');
  const { bootBenchFleet } = await import('./lib/fleet.js');
  const fleet = await bootBenchFleet({ auth: true });
  const sockets: InstanceType<typeof WebSocket>[] = [];
  try {
    const latencies: number[] = [];
    for (let i = 0; i < CLIENTS; i++) {
      const response = await fetch(`${fleet.url}/auth`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${fleet.adminKey}` },
        body: JSON.stringify({ handle: `client-${i}`, teamName: 'bench', agentType: 'worker' }),
      });
      const { token } = (await response.json()) as { token: string };
      const ws = new WebSocket(`${fleet.url.replace(/^http/, 'ws')}/ws`);
      sockets.push(ws);
      await new Promise<void>((resolve, reject) => {
        ws.once('error', reject);
        ws.once('open', () => ws.send(JSON.stringify({ type: 'auth', token })));
        ws.once('message', () => resolve());
      });
      ws.on('message', (data) => {
        const message = JSON.parse((data as Buffer).toString('utf8')) as { sentAt?: number };
        if (typeof message.sentAt === 'number') latencies.push(performance.now() - message.sentAt);
      });
    }
    for (let n = 0; n < EVENTS; n++) {
      fleet.kernel.spine.publish({
        topic: 'team.bench.tasks',
        type: 'task_updated',
        team: 'bench',
        data: { n, sentAt: performance.now(), task: { id: `task-${n}`, status: 'in_progress' } },
      });
      await new Promise((resolve) => setTimeout(resolve, GAP_MS));
    }
    const deadline = Date.now() + 10_000;
    while (latencies.length < EVENTS * CLIENTS && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    const sorted = latencies.sort((a, b) => a - b);
    return {
      implementation: fleet.kernel.spine.implementation,
      deliveries: sorted.length,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      max: sorted.at(-1) ?? NaN,
      mean: sorted.reduce((sum, x) => sum + x, 0) / Math.max(sorted.length, 1),
    };
  } finally {
    for (const ws of sockets) ws.terminate();
    await fleet.close();
  }
}

/** Run this file again as a child for one side; it prints its result as JSON. */
function measureIn(env: NodeJS.ProcessEnv): Promise<SideResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--side'], {
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out) as SideResult) : reject(new Error(`side exited ${code}`)),
    );
  });
}

if (process.argv.includes('--side')) {
  process.stdout.write(JSON.stringify(await measureHere()));
} else {
  const { FLEET_NATIVE: _ignored, ...env } = process.env;
  const results = [await measureIn(env), await measureIn({ ...env, FLEET_NATIVE: '0' })];
  const rows = results.map((r) => [
    `spine on ${r.implementation === 'native' ? 'native ringbus' : 'fallback'}`,
    formatNumber(r.deliveries),
    formatNumber(r.p50, 2),
    formatNumber(r.p99, 2),
    formatNumber(r.max, 2),
    formatNumber(r.mean, 2),
  ]);
  process.stdout.write(
    [
      `${CLIENTS} authenticated clients of one team, ${EVENTS} events published ${GAP_MS} ms apart; ` +
        'latency from publish to arrival, ms.',
      formatTable(['spine', 'deliveries', 'p50', 'p99', 'max', 'mean'], rows),
      `Node ${process.version}; server and clients share one process and event loop.`,
    ].join('\n') + '\n',
  );
}

/**
 * Pheromones benchmark.
 *  1. Deposits and hot resources at scale, in a fleet booted in this process (auth + swarm) through
 *     the swarm plugin's PheromoneService: BENCH_PHEROMONE_TRAILS trails (default 1,000,000) in 20
 *     swarms of one team, over 2,000 files each, spread over the last 60 minutes (so some have decayed),
 *     written with depositMany in batches of 5,000 (trails/s), then 1,000 single deposits (the route's
 *     path: one insert each; p50/p99 ms), then 200 hot-resource queries of a random swarm (p50/p99 ms)
 *     and 200 per-file modifier lookups (what the hot-edit warning runs; p50/p99 ms). SQLite, and
 *     PostgreSQL when FLEET_BENCH_PG_URL names a server (a database is created there and dropped after).
 *  2. The workers output path with automatic trails on and off: a real `fleet up` child process runs an
 *     agent writing stream-json tool calls as fast as it can (Read and Edit of 500 files, Bash calls and
 *     their results), and a WebSocket client counts worker_output; the swarm plugin on (every tool call
 *     becomes a trail) and off, alternated, BENCH_PHEROMONE_ROUNDS rounds each (default 3); medians
 *     compared (the target: within 10%). BENCH_PHEROMONE_LINES lines (default 100,000).
 * Run with `npm run bench pheromones`; BENCH_PHEROMONE_PART=1 or 2 runs one part.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { WebSocket } from 'ws';
import { resolveConfig } from '../../core/config/load-config.js';
import type { FleetConfigInput } from '../../core/config/types.js';
import { Kernel } from '../../core/kernel/kernel.js';
import { createLogger } from '../../core/log.js';
import type { DepositInput, PheromoneService } from '../../plugins/swarm/pheromones/index.js';
import { freePort, killWorkerProcesses } from '../../test/kit/index.js';
import { machineNote } from './lib/settings.js';
import { formatNumber, formatTable } from './lib/table.js';
import { percentile } from './lib/percentile.js';

const TRAILS = Math.max(10_000, Number(process.env.BENCH_PHEROMONE_TRAILS ?? 1_000_000));
const LINES = Math.max(1000, Number(process.env.BENCH_PHEROMONE_LINES ?? 100_000));
const ROUNDS = Math.max(1, Number(process.env.BENCH_PHEROMONE_ROUNDS ?? 3));
const PART = process.env.BENCH_PHEROMONE_PART;
const SWARMS = 20;
const FILES = 2000;
const BATCH = 5000;
const QUERIES = 200;
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FLEET_BIN = join(ROOT, 'bin/fleet.mjs');
const TYPES = ['touch', 'touch', 'touch', 'modify', 'modify', 'error', 'success'] as const;

type Message = Record<string, any>;
const sleep = (ms: number) => new Promise((resolveSleep) => setTimeout(resolveSleep, ms));
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)]!;

/** A deterministic random number generator (mulberry32): both engines get the same trails. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

// ---------- part 1: deposits and queries at scale ----------

async function bootInProcess(storage: FleetConfigInput['storage'], clock: { now: number }) {
  const dataDir = mkdtempSync(join(tmpdir(), 'fleet-bench-pheromones-'));
  const config = resolveConfig(
    {
      dataDir,
      storage,
      server: { host: '127.0.0.1', port: 0 },
      log: { level: 'silent' },
      plugins: { auth: true, swarm: true },
    },
    { env: {}, cwd: dataDir },
  );
  const kernel = await Kernel.boot({ config, log: createLogger({ level: 'silent' }) });
  const service = kernel.api<{ pheromones: PheromoneService }>('swarm')!.pheromones;
  // The service's clock, moved by the bench to lay trails over the last hour.
  (service as unknown as { clock: () => number }).clock = () => clock.now;
  return {
    service,
    close: async () => {
      await kernel.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function scale(engine: string, storage: FleetConfigInput['storage']): Promise<string[]> {
  const end = Date.now();
  const clock = { now: end - 60 * 60_000 };
  const fleet = await bootInProcess(storage, clock);
  try {
    const { service } = fleet;
    const next = random(7);
    const trail = (): DepositInput => ({
      swarmId: `swarm-${Math.floor(next() * SWARMS)}`,
      resourceType: 'file',
      resourceId: `src/module-${Math.floor(next() * next() * FILES)}.ts`,
      depositorHandle: `w${Math.floor(next() * 30)}`,
      trailType: TYPES[Math.floor(next() * TYPES.length)]!,
      intensity: 0.5 + next() * 2,
    });
    let written = 0;
    let writeMs = 0;
    const batches = Math.ceil(TRAILS / BATCH);
    for (let b = 0; b < batches; b++) {
      clock.now = end - 60 * 60_000 + Math.floor((b / batches) * 60 * 60_000);
      const inputs = Array.from({ length: Math.min(BATCH, TRAILS - written) }, trail);
      const started = performance.now();
      written += await service.depositMany('bench', inputs, { announce: false });
      writeMs += performance.now() - started;
    }
    clock.now = end;
    const single: number[] = [];
    for (let i = 0; i < 1000; i++) {
      const started = performance.now();
      await service.deposit('bench', trail());
      single.push(performance.now() - started);
    }
    single.sort((a, b) => a - b);
    const hot: number[] = [];
    const cpuBefore = process.cpuUsage();
    let active = 0;
    for (let i = 0; i < QUERIES; i++) {
      const swarmId = `swarm-${Math.floor(next() * SWARMS)}`;
      const started = performance.now();
      const result = await service.hot('bench', swarmId, { limit: 20 });
      hot.push(performance.now() - started);
      if (i === 0) active = (await service.stats('bench', swarmId)).activeTrails;
      if (result.count === 0) throw new Error('no hot resources');
    }
    const cpu = process.cpuUsage(cpuBefore);
    // CPU of this process per query (SQLite runs in it; PostgreSQL's server is not counted): on a
    // shared machine it says more than the wall clock.
    const hotCpuMs = (cpu.user + cpu.system) / 1000 / QUERIES;
    hot.sort((a, b) => a - b);
    const lookups: number[] = [];
    for (let i = 0; i < QUERIES; i++) {
      const started = performance.now();
      await service.modifiers('bench', `swarm-${i % SWARMS}`, `src/module-${i % 50}.ts`, {
        exclude: 'w0',
        minIntensity: 0.35,
      });
      lookups.push(performance.now() - started);
    }
    lookups.sort((a, b) => a - b);
    return [
      engine,
      formatNumber(written),
      formatNumber(written / (writeMs / 1000)),
      formatNumber(percentile(single, 50), 2),
      formatNumber(percentile(single, 99), 2),
      formatNumber(active),
      formatNumber(percentile(hot, 50), 1),
      formatNumber(percentile(hot, 99), 1),
      formatNumber(hotCpuMs, 2),
      formatNumber(percentile(lookups, 50), 2),
      formatNumber(percentile(lookups, 99), 2),
    ];
  } finally {
    await fleet.close();
  }
}

async function partOne(): Promise<void> {
  const rows: string[][] = [];
  const done = (row: string[]) => {
    rows.push(row);
    process.stdout.write(`${row.join('  ')}\n`);
  };
  done(await scale('sqlite', { driver: 'sqlite' }));
  const pgUrl = process.env.FLEET_BENCH_PG_URL;
  if (pgUrl) {
    const name = `pheromones_bench_${process.pid}`;
    const admin = new pg.Client({ connectionString: pgUrl });
    await admin.connect();
    await admin.query(`create database ${name}`);
    try {
      const url = new URL(pgUrl);
      url.pathname = `/${name}`;
      done(await scale('postgres', { driver: 'postgres', url: url.toString() }));
    } finally {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  }
  process.stdout.write(
    formatTable(
      [
        'engine',
        'trails',
        'depositMany trails/s',
        'deposit p50 ms',
        'deposit p99 ms',
        'active in a swarm',
        'hot p50 ms',
        'hot p99 ms',
        'hot CPU ms/query',
        'modifiers p50 ms',
        'modifiers p99 ms',
      ],
      rows,
    ) +
      `\n${SWARMS} swarms, ${FILES} files, trails over the last 60 min (decay 0.1/min).` +
      `${pgUrl ? '' : ' PostgreSQL skipped: set FLEET_BENCH_PG_URL to run it.'}\n${machineNote()}\n`,
  );
}

// ---------- part 2: the workers output path with automatic trails on and off ----------

/** Stream-json tool calls as Claude Code writes them: Read/Edit of files in its cwd, Bash and results. */
const NDTOOLS = `
const n = Number(process.argv[1]); const cwd = process.cwd(); const session = 'bench-session'; let out = '';
const emit = (line) => {
  out += JSON.stringify(line) + '\\n'; if (out.length >= 65536) { process.stdout.write(out); out = ''; } };
emit({ type: 'system', subtype: 'init', session_id: session, model: 'bench-model', cwd, tools: [] });
for (let i = 0; i < n; i++) {
  const id = 'toolu_' + i;
  if (i % 2 === 1) {
    emit({ type: 'user', message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_' + (i - 1),
      content: 'ok ' + i, is_error: i % 10 === 5 }] }, parent_tool_use_id: null, session_id: session });
    continue;
  }
  const k = i % 6; const file = cwd + '/src/file-' + (i % 500) + '.ts';
  const edit = { file_path: file, old_string: 'a', new_string: 'b' };
  const block = k === 0 ? { type: 'tool_use', id, name: 'Edit', input: edit }
    : k === 2 ? { type: 'tool_use', id, name: 'Bash', input: { command: 'npm test -- ' + (i % 7) } }
    : { type: 'tool_use', id, name: 'Read', input: { file_path: file } };
  emit({ type: 'assistant', message: { id: 'm' + i, role: 'assistant', model: 'bench-model', content: [block],
    stop_reason: null, usage: { input_tokens: 10, output_tokens: 1 } },
    parent_tool_use_id: null, session_id: session });
}
process.stdout.write(out); setInterval(() => {}, 1000);`;

interface ChildFleet {
  child: ChildProcess;
  url: string;
  dataDir: string;
  socket: string;
  lead: string;
  request(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
}

async function startChildFleet(dir: string, trails: boolean): Promise<ChildFleet> {
  const port = await freePort();
  const socket = `fleet-bench-p-${process.pid}-${Date.now().toString(36)}`;
  const dataDir = join(dir, 'data');
  const adminKey = randomBytes(24).toString('hex');
  const config = {
    server: { port, rateLimit: { max: 1_000_000_000 } },
    log: { level: 'warn' },
    plugins: {
      auth: true,
      mail: true,
      tasks: true,
      swarm: trails,
      workers: {
        tmux: { socket, session: 'bench' },
        commands: { ndtools: { argv: [process.execPath, '-e', NDTOOLS, String(LINES)], format: 'ndjson' } },
      },
    },
  };
  const configFile = join(dir, 'fleet.config.ts');
  writeFileSync(configFile, `export default ${JSON.stringify(config, null, 2)};\n`);
  const child = spawn(process.execPath, [FLEET_BIN, 'up', '--config', configFile], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, FLEET_DATA_DIR: dataDir, FLEET_ADMIN_KEY: adminKey },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const deadline = Date.now() + 30_000;
  while (!output.includes('listening on')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`fleet up did not start: ${output}`);
    await sleep(25);
  }
  const url = `http://127.0.0.1:${port}`;
  const call = async (token: string, method: string, path: string, body?: unknown) => {
    const response = await fetch(url + path, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };
  const registered = await call(adminKey, 'POST', '/auth', {
    handle: 'bench-lead',
    teamName: 'bench',
    agentType: 'team-lead',
  });
  if (registered.status !== 200) throw new Error(`register lead: ${registered.status}`);
  const lead = registered.body.token as string;
  return { child, url, dataDir, socket, lead, request: (method, path, body) => call(lead, method, path, body) };
}

async function stopChildFleet(fleet: ChildFleet): Promise<void> {
  if (fleet.child.exitCode === null) {
    fleet.child.kill('SIGTERM');
    await new Promise((resolveExit) => fleet.child.once('exit', resolveExit));
  }
  killWorkerProcesses(fleet.dataDir);
  try {
    execFileSync('tmux', ['-L', fleet.socket, 'kill-server'], { stdio: 'ignore' });
  } catch {
    // not running
  }
  rmSync(join(process.env.TMUX_TMPDIR || '/tmp', `tmux-${process.getuid!()}`, fleet.socket), { force: true });
}

async function openSocket(url: string, token: string, onMessage: (m: Message) => void): Promise<WebSocket> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws`);
  await new Promise<void>((resolveOpen, reject) => {
    ws.once('open', () => resolveOpen());
    ws.once('error', reject);
  });
  const authenticated = new Promise<void>((resolveAuth, reject) => {
    ws.on('message', (data) => {
      const message = JSON.parse((data as Buffer).toString('utf8')) as Message;
      if (message.type === 'authenticated') resolveAuth();
      else if (message.type === 'error') reject(new Error(JSON.stringify(message)));
      onMessage(message);
    });
  });
  ws.send(JSON.stringify({ type: 'auth', token }));
  await authenticated;
  return ws;
}

/** CPU time (user + system, ms) the process has used, from /proc/<pid>/stat. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

interface Round {
  trails: boolean;
  linesPerSecond: number;
  ms: number;
  serverCpuMs: number;
  written: number | null;
}

async function round(trails: boolean): Promise<Round> {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-bench-trails-'));
  let fleet: ChildFleet | undefined;
  try {
    fleet = await startChildFleet(dir, trails);
    let received = 0;
    let first = 0;
    let resolveDone!: () => void;
    const done = new Promise<void>((resolveWait) => (resolveDone = resolveWait));
    const ws = await openSocket(fleet.url, fleet.lead, (m) => {
      if (m.type !== 'worker_output' || m.handle !== 'tools') return;
      if (received === 0) first = performance.now();
      if (++received === LINES + 1) resolveDone();
    });
    const cpuBefore = cpuMs(fleet.child.pid!);
    const spawned = await fleet.request('POST', '/orchestrate/spawn', {
      handle: 'tools',
      adapter: 'ndtools',
      workingDir: fleet.dataDir,
    });
    if (spawned.status !== 201) throw new Error(`spawn: ${spawned.status} ${JSON.stringify(spawned.body)}`);
    const timeout = setTimeout(() => resolveDone(), 300_000);
    await done;
    clearTimeout(timeout);
    const ended = performance.now();
    const serverCpuMs = cpuMs(fleet.child.pid!) - cpuBefore;
    if (received !== LINES + 1) throw new Error(`the client got ${received} of ${LINES + 1} lines`);
    let written: number | null = null;
    if (trails) {
      await sleep(1000);
      const stats = await fleet.request('GET', '/pheromones/team/stats');
      written = stats.body?.activeTrails ?? null;
    }
    ws.terminate();
    const ms = ended - first;
    return { trails, linesPerSecond: (LINES + 1) / (ms / 1000), ms, serverCpuMs, written };
  } finally {
    if (fleet) await stopChildFleet(fleet);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function partTwo(): Promise<void> {
  const rounds: Round[] = [];
  for (let i = 0; i < ROUNDS; i++)
    for (const trails of [false, true]) {
      process.stdout.write(`pheromones bench: round ${i + 1}, automatic trails ${trails ? 'on' : 'off'} ...\n`);
      rounds.push(await round(trails));
    }
  const off = rounds.filter((r) => !r.trails);
  const on = rounds.filter((r) => r.trails);
  const offRate = median(off.map((r) => r.linesPerSecond));
  const onRate = median(on.map((r) => r.linesPerSecond));
  const change = (onRate / offRate - 1) * 100;
  const offCpu = median(off.map((r) => r.serverCpuMs));
  const onCpu = median(on.map((r) => r.serverCpuMs));
  process.stdout.write(
    [
      '',
      `Stream-json tool calls, agent → log → server → WebSocket client, ${formatNumber(LINES)} lines ` +
        '(half tool calls: Read, Edit, Bash; half their results), swarm plugin (automatic trails) off and on:',
      formatTable(
        ['round', 'trails', 'first → last line, ms', 'lines/s', 'server CPU, ms', 'active trails after'],
        rounds.map((r, i) => [
          String(Math.floor(i / 2) + 1),
          r.trails ? 'on' : 'off',
          formatNumber(r.ms, 0),
          formatNumber(r.linesPerSecond),
          formatNumber(r.serverCpuMs, 0),
          r.written === null ? '—' : formatNumber(r.written),
        ]),
      ),
      `median server CPU: off ${formatNumber(offCpu, 0)} ms, on ${formatNumber(onCpu, 0)} ms`,
      `median lines/s: off ${formatNumber(offRate)}, on ${formatNumber(onRate)} ` +
        `(${change >= 0 ? '+' : ''}${formatNumber(change, 1)}%; ` +
        `target: within 10%: ${change > -10 ? 'met' : 'MISSED'})`,
      machineNote().replace('the load client and the server', 'the server, the client, tmux and the agent'),
      '',
    ].join('\n'),
  );
}

async function main(): Promise<number> {
  try {
    if (PART !== '2') await partOne();
    if (PART !== '1') await partTwo();
    return 0;
  } catch (error) {
    process.stderr.write(`pheromones bench failed: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}

process.exitCode = await main();

/**
 * Output throughput with the sessions plugin's accounting and indexing on, against off: a real
 * `fleet up` child process (its own tmux server) runs an agent that writes Claude Code stream-json
 * as fast as it can (assistant text with usage, and a result with cumulative modelUsage every 100
 * lines), and a WebSocket client counts the worker_output events. The same run with and without
 * `sessions`, alternated (off, on, off, on, ...), BENCH_SESSIONS_ROUNDS rounds each (default 3); the
 * median of each is compared (the target: within 10%). With sessions on, how long after the last
 * line the accounting holds every result is reported too. BENCH_SESSIONS_LINES sets the lines
 * (default 100000). The server's CPU time (from /proc) is reported beside: on a shared machine it
 * varies less than the wall clock. Run with `npm run bench sessions`.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { freePort, killWorkerProcesses } from '../../test/kit/index.js';
import { machineNote } from './lib/settings.js';
import { formatNumber, formatTable } from './lib/table.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FLEET_BIN = join(ROOT, 'bin/fleet.mjs');
const LINES = Math.max(1000, Number(process.env.BENCH_SESSIONS_LINES ?? 100_000));
const ROUNDS = Math.max(1, Number(process.env.BENCH_SESSIONS_ROUNDS ?? 3));
const RESULT_EVERY = 100;

/**
 * Stream-json as Claude Code writes it: an init, then N lines, each an assistant text block with its
 * usage, every 100th a result with the session's cumulative figures; 64 KiB writes; then it stays up.
 */
const NDFLOOD = `
const n = Number(process.argv[1]); const every = ${RESULT_EVERY}; const session = 'bench-session';
const pad = 'x'.repeat(60); let out = ''; let input = 0; let output = 0;
const emit = (line) => {
  out += JSON.stringify(line) + '\\n'; if (out.length >= 65536) { process.stdout.write(out); out = ''; } };
emit({ type: 'system', subtype: 'init', session_id: session, model: 'bench-model', cwd: '/', tools: [] });
for (let i = 0; i < n; i++) {
  if ((i + 1) % every === 0) {
    const turns = (i + 1) / every;
    emit({ type: 'result', subtype: 'success', is_error: false, num_turns: turns, result: 'turn ' + turns,
      session_id: session, total_cost_usd: turns * 0.001, usage: { input_tokens: 1000, output_tokens: 50 },
      modelUsage: { 'bench-model': { inputTokens: input, outputTokens: output, cacheReadInputTokens: 0,
        cacheCreationInputTokens: 0, costUSD: turns * 0.001 } } });
  } else {
    input += 10; output += 1;
    emit({ type: 'assistant', message: { id: 'm' + i, role: 'assistant', model: 'bench-model',
      content: [{ type: 'text', text: 'line ' + i + ' ' + pad }], stop_reason: null,
      usage: { input_tokens: 1000 + i, output_tokens: 1, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 } },
      parent_tool_use_id: null, session_id: session });
  }
}
process.stdout.write(out); setInterval(() => {}, 1000);`;

type Message = Record<string, any>;
const sleep = (ms: number) => new Promise((resolveSleep) => setTimeout(resolveSleep, ms));

interface Fleet {
  child: ChildProcess;
  url: string;
  dataDir: string;
  socket: string;
  lead: string;
  request(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
}

async function startFleet(dir: string, sessions: boolean): Promise<Fleet> {
  const port = await freePort();
  const socket = `fleet-bench-s-${process.pid}-${Date.now().toString(36)}`;
  const dataDir = join(dir, 'data');
  const adminKey = randomBytes(24).toString('hex');
  const config = {
    server: { port, rateLimit: { max: 1_000_000_000 } },
    log: { level: 'warn' },
    plugins: {
      auth: true,
      mail: true,
      tasks: true,
      metrics: true,
      sessions,
      workers: {
        tmux: { socket, session: 'bench' },
        commands: { ndflood: { argv: [process.execPath, '-e', NDFLOOD, String(LINES)], format: 'ndjson' } },
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

async function stopFleet(fleet: Fleet): Promise<void> {
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

interface Round {
  sessions: boolean;
  linesPerSecond: number;
  ms: number;
  /** With sessions on: from the last line at the client until GET /costs counts every result. */
  accountedAfterMs: number | null;
  /** CPU the server used from the spawn to the last line at the client, and until all was accounted. */
  serverCpuMs: number;
  serverCpuAccountedMs: number;
}

async function round(sessions: boolean): Promise<Round> {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-bench-sessions-'));
  let fleet: Fleet | undefined;
  try {
    fleet = await startFleet(dir, sessions);
    let received = 0;
    let first = 0;
    let resolveDone!: () => void;
    const done = new Promise<void>((resolveWait) => (resolveDone = resolveWait));
    const ws = await openSocket(fleet.url, fleet.lead, (m) => {
      if (m.type !== 'worker_output' || m.handle !== 'flood') return;
      if (received === 0) first = performance.now();
      if (++received === LINES + 1) resolveDone();
    });
    const cpuBefore = cpuMs(fleet.child.pid!);
    const spawned = await fleet.request('POST', '/orchestrate/spawn', {
      handle: 'flood',
      adapter: 'ndflood',
      workingDir: fleet.dataDir,
    });
    if (spawned.status !== 201) throw new Error(`spawn: ${spawned.status} ${JSON.stringify(spawned.body)}`);
    const timeout = setTimeout(() => resolveDone(), 300_000);
    await done;
    clearTimeout(timeout);
    const ended = performance.now();
    const serverCpuMs = cpuMs(fleet.child.pid!) - cpuBefore;
    if (received !== LINES + 1) throw new Error(`the client got ${received} of ${LINES + 1} lines`);
    let accountedAfterMs: number | null = null;
    if (sessions) {
      const results = Math.floor(LINES / RESULT_EVERY);
      for (;;) {
        const costs = await fleet.request('GET', '/costs?by=worker');
        if (costs.body?.total?.results === results) break;
        if (performance.now() - ended > 120_000) throw new Error(`accounting stuck: ${JSON.stringify(costs.body)}`);
        await sleep(20);
      }
      accountedAfterMs = performance.now() - ended;
    }
    const serverCpuAccountedMs = cpuMs(fleet.child.pid!) - cpuBefore;
    ws.terminate();
    const ms = ended - first;
    return {
      sessions,
      linesPerSecond: (LINES + 1) / (ms / 1000),
      ms,
      accountedAfterMs,
      serverCpuMs,
      serverCpuAccountedMs,
    };
  } finally {
    if (fleet) await stopFleet(fleet);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** CPU time (user + system, ms) the process has used, from /proc/<pid>/stat. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / 100;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)]!;

async function main(): Promise<number> {
  try {
    const rounds: Round[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      for (const sessions of [false, true]) {
        process.stdout.write(`sessions bench: round ${i + 1}, sessions ${sessions ? 'on' : 'off'} ...\n`);
        rounds.push(await round(sessions));
      }
    }
    const off = rounds.filter((r) => !r.sessions);
    const on = rounds.filter((r) => r.sessions);
    const offRate = median(off.map((r) => r.linesPerSecond));
    const onRate = median(on.map((r) => r.linesPerSecond));
    const change = (onRate / offRate - 1) * 100;
    const rows = rounds.map((r, i) => [
      String(Math.floor(i / 2) + 1),
      r.sessions ? 'on' : 'off',
      formatNumber(r.ms, 0),
      formatNumber(r.linesPerSecond),
      r.accountedAfterMs === null ? '—' : formatNumber(r.accountedAfterMs, 0),
      formatNumber(r.serverCpuMs, 0),
      formatNumber(r.serverCpuAccountedMs, 0),
    ]);
    const offCpu = median(off.map((r) => r.serverCpuAccountedMs));
    const onCpu = median(on.map((r) => r.serverCpuAccountedMs));
    process.stdout.write(
      [
        '',
        `Stream-json output, agent → log → server → WebSocket client, ${formatNumber(LINES)} lines ` +
          `(a result every ${RESULT_EVERY}), sessions plugin off and on:`,
        formatTable(
          [
            'round',
            'sessions',
            'first → last line, ms',
            'lines/s',
            'accounted after, ms',
            'server CPU to last line, ms',
            'server CPU in all, ms',
          ],
          rows,
        ),
        `median server CPU in all: off ${formatNumber(offCpu, 0)} ms, on ${formatNumber(onCpu, 0)} ms ` +
          `(${formatNumber((onCpu / offCpu - 1) * 100, 1)}% more with sessions)`,
        `median lines/s: off ${formatNumber(offRate)}, on ${formatNumber(onRate)} ` +
          `(${change >= 0 ? '+' : ''}${formatNumber(change, 1)}%; target: within 10%: ` +
          `${change > -10 ? 'met' : 'MISSED'})`,
        machineNote().replace('the load client and the server', 'the server, the client, tmux and the agent'),
        '',
      ].join('\n'),
    );
    return 0;
  } catch (error) {
    process.stderr.write(`sessions bench failed: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}

process.exitCode = await main();

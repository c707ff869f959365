/**
 * The policy hook's cost on every tool call: from starting `node plugins/policy/hook/pre-tool-use.mjs`
 * (as Claude Code does, the call on stdin) to its answer (the process has exited), p50/p99/max.
 *  - start-up: the hook against a server that answers `none` at once, beside bare `node -e ''`, so
 *    the hook's own share shows;
 *  - decisions against a real fleet with the policy plugin and 100, then 1,000 Bash rules of the
 *    team (a call no rule matches, so every rule is looked at; and one the last rule blocks), beside
 *    POST /policies/check alone over a kept-alive connection (the server's share).
 * Without the policy plugin in this checkout the decision rows come from the stand-in server and
 * say so. Env: BENCH_HOOK_RUNS (default 40 per row).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, request as httpRequest, Agent } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { bootBenchFleet, type BenchFleet } from './lib/fleet.js';
import { formatNumber, formatTable } from './lib/table.js';

const HOOK = fileURLToPath(new URL('../../plugins/policy/hook/pre-tool-use.mjs', import.meta.url));
const POLICY_PLUGIN = fileURLToPath(new URL('../../plugins/policy/index.ts', import.meta.url));
const RUNS = Math.max(5, Number(process.env.BENCH_HOOK_RUNS ?? 40));

interface Stats {
  p50: number;
  p99: number;
  max: number;
}

function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
  return { p50: at(50), p99: at(99), max: sorted.at(-1)! };
}

/** Run a program with `input` on stdin; ms from spawn to exit, and its stdout. */
function timed(argv: string[], env: Record<string, string>, input: string): Promise<{ ms: number; stdout: string }> {
  return new Promise((resolveRun, rejectRun) => {
    const started = performance.now();
    const child = spawn(argv[0]!, argv.slice(1), { env, stdio: ['pipe', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.once('error', rejectRun);
    child.once('close', () => resolveRun({ ms: performance.now() - started, stdout }));
    child.stdin.end(input);
  });
}

const call = (command: string) =>
  JSON.stringify({
    session_id: '00000000-0000-4000-8000-000000000000',
    cwd: process.cwd(),
    hook_event_name: 'PreToolUse',
    tool_name: 'Bash',
    tool_input: { command, description: 'bench' },
    tool_use_id: 'toolu_bench',
  });

/** The hook RUNS times in a row (after two warm-up runs); every answer must be `expect`. */
async function hookRuns(env: Record<string, string>, command: string, expect: RegExp): Promise<Stats> {
  const samples: number[] = [];
  const hookEnv = { PATH: process.env.PATH ?? '', ...env };
  for (let i = 0; i < RUNS + 2; i++) {
    const { ms, stdout } = await timed([process.execPath, HOOK], hookEnv, call(command));
    if (!expect.test(stdout)) throw new Error(`unexpected hook answer: ${JSON.stringify(stdout)}`);
    if (i >= 2) samples.push(ms);
  }
  return stats(samples);
}

/** A server that answers every request at once with `{ decision: 'none' }`. */
async function immediateServer(): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"decision":"none"}');
    });
  });
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolveClose) => server.close(() => resolveClose())),
  };
}

/** POST /policies/check alone, RUNS times over one kept-alive connection: what the server takes. */
async function checkRuns(url: string, token: string, command: string): Promise<Stats> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const body = JSON.stringify({ tool: 'Bash', input: { command, description: 'bench' } });
  const once = () =>
    new Promise<number>((resolveCheck, rejectCheck) => {
      const started = performance.now();
      const req = httpRequest(`${url}/policies/check`, {
        method: 'POST',
        agent,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      });
      req.once('error', rejectCheck);
      req.once('response', (res) => {
        res.resume();
        res.once('end', () =>
          res.statusCode === 200
            ? resolveCheck(performance.now() - started)
            : rejectCheck(new Error(`${res.statusCode}`)),
        );
      });
      req.end(body);
    });
  const samples: number[] = [];
  for (let i = 0; i < RUNS + 5; i++) {
    const ms = await once();
    if (i >= 5) samples.push(ms);
  }
  agent.destroy();
  return stats(samples);
}

async function post(url: string, path: string, token: string, body: unknown): Promise<any> {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as unknown;
  if (!response.ok) throw new Error(`${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

/** A fleet with the policy plugin and `count` Bash rules for team bench; the worker's token. */
async function policyFleet(count: number): Promise<{ fleet: BenchFleet; worker: string }> {
  const fleet = await bootBenchFleet({ auth: true, policy: true });
  try {
    const lead = (
      await post(fleet.url, '/auth', fleet.adminKey, { handle: 'lead', teamName: 'bench', agentType: 'team-lead' })
    ).token as string;
    const worker = (
      await post(fleet.url, '/auth', fleet.adminKey, { handle: 'w1', teamName: 'bench', agentType: 'worker' })
    ).token as string;
    for (let i = 0; i < count; i++) {
      await post(fleet.url, '/policies', lead, {
        name: `rule-${i}`,
        decision: 'block',
        tool: 'Bash',
        pattern: `^deploy-target-${i}\\b`,
        reason: `target ${i} is off limits`,
      });
    }
    return { fleet, worker };
  } catch (error) {
    await fleet.close();
    throw error;
  }
}

const ms = (value: number) => formatNumber(value, 1);
const row = (name: string, s: Stats) => [name, ms(s.p50), ms(s.p99), ms(s.max)];

async function main(): Promise<void> {
  const rows: string[][] = [];
  const bare = await (async () => {
    const samples: number[] = [];
    for (let i = 0; i < RUNS + 2; i++) {
      const { ms: took } = await timed([process.execPath, '-e', ''], { PATH: process.env.PATH ?? '' }, '');
      if (i >= 2) samples.push(took);
    }
    return stats(samples);
  })();
  rows.push(row("bare node -e '' (start and exit)", bare));
  const immediate = await immediateServer();
  try {
    const env = { FLEET_URL: immediate.url, FLEET_TOKEN: 'bench' };
    rows.push(row('hook start-up, server answers none at once', await hookRuns(env, 'ls', /^$/)));
  } finally {
    await immediate.close();
  }

  let source = 'the real fleet (auth + policy plugins, SQLite)';
  let fleetRows: string[][] = [];
  try {
    if (!existsSync(POLICY_PLUGIN)) throw new Error('plugins/policy/index.ts is not in this checkout');
    for (const count of [100, 1000]) {
      const { fleet, worker } = await policyFleet(count);
      try {
        const env = { FLEET_URL: fleet.url, FLEET_TOKEN: worker };
        fleetRows.push(row(`${count} rules: hook, no rule matches (none)`, await hookRuns(env, 'git status', /^$/)));
        const last = `deploy-target-${count - 1} now`;
        fleetRows.push(row(`${count} rules: hook, the last rule blocks`, await hookRuns(env, last, /"deny"/)));
        fleetRows.push(
          row(`${count} rules: POST /policies/check alone`, await checkRuns(fleet.url, worker, 'git status')),
        );
      } finally {
        await fleet.close();
      }
    }
  } catch (error) {
    source = `the stand-in server (no policy plugin: ${(error as Error).message})`;
    fleetRows = [];
    const standIn = await immediateServer();
    try {
      const env = { FLEET_URL: standIn.url, FLEET_TOKEN: 'bench' };
      fleetRows.push(row('stand-in: hook, decision none', await hookRuns(env, 'git status', /^$/)));
      fleetRows.push(row('stand-in: POST /policies/check alone', await checkRuns(standIn.url, 'bench', 'git status')));
    } finally {
      await standIn.close();
    }
  }
  rows.push(...fleetRows);
  process.stdout.write(
    `policy hook latency, ${RUNS} runs per row, ms from process start to answer; decisions from ${source}\n\n` +
      formatTable(['measure', 'p50 ms', 'p99 ms', 'max ms'], rows) +
      '\n',
  );
}

await main();

/**
 * Workflows engine: (1) step dispatch overhead — a chain of 50 `script` steps (the cheapest real kind)
 * run 4 times one after another; per step, the time from its dependency's completion to its own start
 * (release → claim → running) and from its start to its completion (run + settle), p50/p99; (2) 100
 * executions of a 5-step workflow (script → wait 100 ms → script → script → script) started together:
 * the wall time until all completed, executions per second, and the executions' durations p50/p99.
 * SQLite, and PostgreSQL when FLEET_BENCH_PG_URL names a server (a database is created and dropped).
 * (3) on SQLite, BENCH_AGENT_EXECUTIONS (default 10; 0 skips it) executions of a 5-step workflow with the fake
 * agent as `claude` in a private tmux, started together: spawn → send → command in the worker's directory →
 * gate → script; the wall time, executions per second, their durations and the spawn steps' (spawn → first
 * result). Each execution keeps one live worker (a pane host and an agent process), which is why it is not
 * 100 here: a shared 2-core machine does not hold 100 of them.
 * Run with `npm run bench workflows`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { resolveConfig } from '../../core/config/load-config.js';
import type { FleetConfigInput } from '../../core/config/types.js';
import { Kernel } from '../../core/kernel/kernel.js';
import { createLogger } from '../../core/log.js';
import type { WorkflowsApi } from '../../plugins/workflows/index.js';
import { FAKE_AGENT } from '../../test/kit/paths.js';
import { killWorkerProcesses } from '../../test/kit/processes.js';
import { killTmuxServer, uniqueSocket } from '../../test/kit/tmux.js';
import { machineNote } from './lib/settings.js';
import { formatNumber, formatTable } from './lib/table.js';
import { percentile } from './lib/percentile.js';

const CHAIN = 50;
const CHAIN_RUNS = 4;
const CONCURRENT = Number(process.env.BENCH_EXECUTIONS ?? 100);
const AGENT_EXECUTIONS = Number(process.env.BENCH_AGENT_EXECUTIONS ?? 10);

const sortNumbers = (values: number[]) => values.sort((a, b) => a - b);

async function until(api: WorkflowsApi, ids: readonly string[]): Promise<void> {
  for (;;) {
    const left = await api.executions.list('bench', { status: 'running', limit: 100 });
    if (!left.some((execution) => ids.includes(execution.id))) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function run(label: string, storage?: FleetConfigInput['storage']): Promise<string[][]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'fleet-bench-wf-'));
  const config = resolveConfig(
    {
      dataDir,
      ...(storage ? { storage } : {}),
      server: { host: '127.0.0.1', port: 0, rateLimit: { max: 1_000_000_000 } },
      log: { level: 'silent' },
      plugins: { auth: true, workflows: { seedExamples: false } },
    },
    { env: {}, cwd: dataDir },
  );
  const kernel = await Kernel.boot({ config, log: createLogger({ level: 'silent' }) });
  try {
    const api = kernel.api<WorkflowsApi>('workflows')!;
    const caller = { team: 'bench', handle: 'lead' };
    const chain = await api.definitions.create('bench', 'lead', {
      name: 'chain',
      definition: {
        steps: Array.from({ length: CHAIN }, (_, i) => ({
          key: `s${i}`,
          type: 'script',
          config: { script: `${i}` },
          ...(i > 0 ? { dependsOn: [`s${i - 1}`] } : {}),
        })),
      },
    });
    const dispatch: number[] = [];
    const runTimes: number[] = [];
    for (let r = 0; r < CHAIN_RUNS; r++) {
      const execution = await api.executions.start(caller, chain.id, { startedBy: 'bench' });
      await until(api, [execution.id]);
      const steps = await api.executions.steps('bench', execution.id);
      for (let i = 0; i < steps.length; i++) {
        const step = steps[i]!;
        runTimes.push(Date.parse(step.completedAt!) - Date.parse(step.startedAt!));
        if (i > 0) dispatch.push(Date.parse(step.startedAt!) - Date.parse(steps[i - 1]!.completedAt!));
      }
    }
    sortNumbers(dispatch);
    sortNumbers(runTimes);
    const five = await api.definitions.create('bench', 'lead', {
      name: 'five',
      definition: {
        steps: [
          { key: 'a', type: 'script', config: { script: '1' } },
          { key: 'b', type: 'wait', dependsOn: ['a'], config: { durationMs: 100 } },
          { key: 'c', type: 'script', dependsOn: ['b'], config: { script: '2' } },
          { key: 'd', type: 'script', dependsOn: ['c'], config: { script: '3' } },
          { key: 'e', type: 'script', dependsOn: ['d'], config: { script: '4' } },
        ],
      },
    });
    const began = Date.now();
    const ids = await Promise.all(
      Array.from(
        { length: CONCURRENT },
        async () => (await api.executions.start(caller, five.id, { startedBy: 'bench' })).id,
      ),
    );
    await until(api, ids);
    const wall = Date.now() - began;
    const executions = await Promise.all(ids.map((id) => api.executions.get('bench', id)));
    const completed = executions.filter((execution) => execution.status === 'completed').length;
    const durations = sortNumbers(
      executions.map((execution) => Date.parse(execution.completedAt!) - Date.parse(execution.startedAt!)),
    );
    return [
      [
        label,
        'dispatch (release → start)',
        formatNumber(dispatch.length),
        formatNumber(percentile(dispatch, 50)),
        formatNumber(percentile(dispatch, 99)),
        '',
      ],
      [
        label,
        'script step (start → settled)',
        formatNumber(runTimes.length),
        formatNumber(percentile(runTimes, 50)),
        formatNumber(percentile(runTimes, 99)),
        '',
      ],
      [
        label,
        `${CONCURRENT} × 5-step executions`,
        `${completed}/${CONCURRENT}`,
        formatNumber(percentile(durations, 50)),
        formatNumber(percentile(durations, 99)),
        `${formatNumber(wall)} ms wall, ${formatNumber((CONCURRENT * 1000) / wall, 1)} exec/s`,
      ],
    ];
  } finally {
    await kernel.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** (3) Executions whose steps drive the fake agent: a worker per execution, spawned, sent to, then checked. */
async function runAgents(count: number): Promise<string[][]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'fleet-bench-wf-agents-'));
  const socket = uniqueSocket('wfbench');
  const config = resolveConfig(
    {
      dataDir,
      server: { host: '127.0.0.1', port: 0, rateLimit: { max: 1_000_000_000 } },
      log: { level: 'silent' },
      plugins: {
        auth: true,
        workers: {
          claude: { command: [process.execPath, FAKE_AGENT] },
          heartbeatSeconds: 1,
          max: count + 2,
          tmux: { socket, session: 'fleet' },
        },
        workflows: { seedExamples: false },
      },
    },
    { env: {}, cwd: dataDir },
  );
  const kernel = await Kernel.boot({ config, log: createLogger({ level: 'silent' }) });
  try {
    const api = kernel.api<WorkflowsApi>('workflows')!;
    const caller = { team: 'bench', handle: 'lead' };
    const handle = '{{steps.spawn.output.handle}}';
    const five = await api.definitions.create('bench', 'lead', {
      name: 'agent-five',
      definition: {
        steps: [
          { key: 'spawn', type: 'spawn', config: { agentRole: 'bench', task: 'work', workingDir: dataDir } },
          { key: 'send', type: 'send', dependsOn: ['spawn'], config: { to: handle, message: 'more' } },
          { key: 'cmd', type: 'command', dependsOn: ['send'], config: { argv: ['true'], worker: handle } },
          {
            key: 'gate',
            type: 'gate',
            dependsOn: ['cmd'],
            config: { condition: "steps.send.output.result === 'ack: more'" },
          },
          { key: 'done', type: 'script', dependsOn: ['gate'], config: { script: 'steps.send.output.result' } },
        ],
      },
    });
    const began = Date.now();
    const ids = await Promise.all(
      Array.from(
        { length: count },
        async () => (await api.executions.start(caller, five.id, { startedBy: 'bench' })).id,
      ),
    );
    await until(api, ids);
    const wall = Date.now() - began;
    const executions = await Promise.all(ids.map((id) => api.executions.get('bench', id)));
    const completed = executions.filter((execution) => execution.status === 'completed').length;
    const durations = sortNumbers(
      executions.map((execution) => Date.parse(execution.completedAt!) - Date.parse(execution.startedAt!)),
    );
    const spawns: number[] = [];
    for (const id of ids) {
      const spawn = (await api.executions.steps('bench', id)).find((step) => step.stepKey === 'spawn');
      if (spawn?.completedAt && spawn.startedAt)
        spawns.push(Date.parse(spawn.completedAt) - Date.parse(spawn.startedAt));
    }
    sortNumbers(spawns);
    return [
      [
        'sqlite',
        `${count} × 5-step executions, fake agent`,
        `${completed}/${count}`,
        formatNumber(percentile(durations, 50)),
        formatNumber(percentile(durations, 99)),
        `${formatNumber(wall)} ms wall, ${formatNumber((count * 1000) / wall, 1)} exec/s`,
      ],
      [
        'sqlite',
        'spawn step (start → first result)',
        formatNumber(spawns.length),
        formatNumber(percentile(spawns, 50)),
        formatNumber(percentile(spawns, 99)),
        '',
      ],
    ];
  } finally {
    await kernel.stop();
    killWorkerProcesses(dataDir);
    killTmuxServer(socket);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const header = ['storage', 'measure', 'n', 'p50 ms', 'p99 ms', 'total'];
  const rows: string[][] = [];
  const done = (more: string[][]) => {
    for (const row of more) process.stdout.write(`${row.join('  ')}\n`);
    rows.push(...more);
  };
  done(await run('sqlite'));
  const pgUrl = process.env.FLEET_BENCH_PG_URL;
  if (pgUrl) {
    const name = `workflows_bench_${process.pid}`;
    const admin = new pg.Client({ connectionString: pgUrl });
    await admin.connect();
    await admin.query(`create database ${name}`);
    try {
      const url = new URL(pgUrl);
      url.pathname = `/${name}`;
      done(await run('postgres', { driver: 'postgres', url: url.toString() }));
    } finally {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  }
  if (AGENT_EXECUTIONS > 0) done(await runAgents(AGENT_EXECUTIONS));
  process.stdout.write(
    `\nWorkflows engine: step dispatch overhead (a ${CHAIN}-step chain × ${CHAIN_RUNS}) and ${CONCURRENT} ` +
      `concurrent 5-step executions` +
      `${AGENT_EXECUTIONS > 0 ? `; ${AGENT_EXECUTIONS} with the fake agent` : ''}.\n${formatTable(header, rows)}\n` +
      `${pgUrl ? '' : 'PostgreSQL skipped: set FLEET_BENCH_PG_URL to run it.\n'}${machineNote()}\n`,
  );
}

await main();

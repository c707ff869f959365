/**
 * A/B of two checkouts in one process: `node --import tsx scripts/bench/ab.ts <other checkout>`
 * boots this checkout's fleet and the other's (auth, mail, tasks; SQLite in temp dirs) side by
 * side and measures them in alternating rounds of sequential requests, as CPU time per request
 * (process.cpuUsage: server and client share the process, the same for both). On a busy machine
 * this says more than req/s from two separate runs; read the per-round ratios, not one figure.
 * The other checkout needs its own node_modules (a symlink to this one's will do).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

interface Booted {
  stop(): Promise<void>;
  post(path: string, token: string, body: unknown): Promise<{ token?: string; uid?: string }>;
  get(path: string, token?: string): Promise<unknown>;
  lead: string;
  leadUid: string;
}

/** A fleet of the checkout at `root`, loaded from its own core and plugins. */
async function boot(root: string): Promise<Booted> {
  const { resolveConfig } = await import(join(root, 'core/config/load-config.ts'));
  const { Kernel } = await import(join(root, 'core/kernel/kernel.ts'));
  const { createLogger } = await import(join(root, 'core/log.ts'));
  const dataDir = mkdtempSync(join(tmpdir(), 'fleet-ab-'));
  const config = resolveConfig(
    {
      dataDir,
      server: { port: 0, rateLimit: { max: 1e9 } },
      log: { level: 'silent' },
      plugins: { auth: true, mail: true, tasks: true },
    },
    { env: {}, cwd: dataDir },
  );
  const kernel = await Kernel.boot({
    config,
    pluginDirs: [join(root, 'plugins')],
    log: createLogger({ level: 'silent' }),
  });
  const post = async (path: string, token: string, body: unknown) => {
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
    const response = await fetch(kernel.url + path, { method: 'POST', headers, body: JSON.stringify(body) });
    const answer = (await response.json()) as { token?: string; uid?: string };
    if (!response.ok) throw new Error(`${root}: ${path}: ${response.status} ${JSON.stringify(answer)}`);
    return answer;
  };
  const lead = await post('/auth', kernel.adminKey, { handle: 'lead', teamName: 'bench', agentType: 'team-lead' });
  await post('/auth', kernel.adminKey, { handle: 'w1', teamName: 'bench' });
  return {
    post,
    get: async (path, token) =>
      (await fetch(kernel.url + path, { headers: token ? { authorization: `Bearer ${token}` } : {} })).json(),
    lead: lead.token!,
    leadUid: lead.uid!,
    async stop() {
      await kernel.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const TARGETS: Record<string, (fleet: Booted, i: number) => Promise<unknown>> = {
  'POST /tasks (assigned, with its DM)': (f, i) => f.post('/tasks', f.lead, { toHandle: 'w1', subject: `task ${i}` }),
  'POST /auth (lead adds worker)': (f, i) => f.post('/auth', f.lead, { handle: `w${i % 5000}x`, teamName: 'bench' }),
  'GET /health': (f) => f.get('/health'),
  // A read with a token: verification (with the token version check) and the rate limits' windows.
  'GET /users/:uid (lead token)': (f) => f.get(`/users/${f.leadUid}`, f.lead),
};

async function main(argv: string[]): Promise<number> {
  if (!argv[0]) {
    process.stderr.write('usage: node --import tsx scripts/bench/ab.ts <other checkout>\n');
    return 2;
  }
  const requests = 100;
  const rounds = 24;
  const fleets = { other: await boot(resolve(argv[0])), this: await boot(resolve(import.meta.dirname, '../..')) };
  let i = 0;
  const lines: string[] = [];
  try {
    for (const [name, run] of Object.entries(TARGETS)) {
      const cpu = { other: [] as number[], this: [] as number[] };
      for (const which of ['other', 'this'] as const) for (let k = 0; k < 50; k++) await run(fleets[which], i++);
      for (let round = 0; round < rounds; round++) {
        for (const which of round % 2 ? (['this', 'other'] as const) : (['other', 'this'] as const)) {
          const start = process.cpuUsage();
          for (let k = 0; k < requests; k++) await run(fleets[which], i++);
          const used = process.cpuUsage(start);
          cpu[which].push((used.user + used.system) / requests);
        }
      }
      const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
      const at = (values: number[], p: number) => sorted(values)[Math.floor(p * (values.length - 1))]!;
      const ratios = cpu.this.map((value, k) => value / cpu.other[k]!);
      const micros = (values: number[]) => `${at(values, 0.5).toFixed(0).padStart(5)} µs`;
      const ratio = (p: number) => at(ratios, p).toFixed(2);
      lines.push(
        `${name.padEnd(36)} other ${micros(cpu.other)}  this ${micros(cpu.this)}` +
          `  this/other per round: median ${ratio(0.5)}, quartiles ${ratio(0.25)}–${ratio(0.75)}`,
      );
    }
  } finally {
    await fleets.other.stop();
    await fleets.this.stop();
  }
  process.stdout.write(
    `${rounds} alternating rounds of ${requests} sequential requests; CPU per request, medians:\n${lines.join('\n')}\n`,
  );
  return 0;
}

process.exitCode = await main(process.argv.slice(2));

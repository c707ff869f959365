/**
 * Knowledge benchmark: documents ingested through the knowledge plugin's api (chunking, hashing, the
 * transaction that writes chunks and their index) until BENCH_KNOWLEDGE_CHUNKS chunks (default
 * 100,000), reported as MB/s of markdown; then BENCH_KNOWLEDGE_SEARCHES searches (default 300) of
 * one to three words of a Zipf-distributed vocabulary (common and rare words), limit 20, one at a
 * time: p50 and p99; then time-to-searchable: a document with a word nobody has, ingested, and
 * searched for until found (the target: under 1 s). In a real fleet booted in this process, on
 * SQLite (FTS5), and on PostgreSQL (tsvector + GIN) when FLEET_BENCH_PG_URL names a server (a
 * database is created there and dropped after; `node scripts/test-postgres.mjs start <dir>` prints
 * one). Run with `npm run bench knowledge`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { resolveConfig } from '../../core/config/load-config.js';
import type { FleetConfigInput } from '../../core/config/types.js';
import { Kernel } from '../../core/kernel/kernel.js';
import { createLogger } from '../../core/log.js';
import { searchTerms } from '../../plugins/knowledge/documents/terms.js';
import type { KnowledgeApi } from '../../plugins/knowledge/index.js';
import { machineNote } from './lib/settings.js';
import { formatNumber, formatTable } from './lib/table.js';
import { percentile } from './lib/percentile.js';

const CHUNKS = Math.max(1000, Number(process.env.BENCH_KNOWLEDGE_CHUNKS ?? 100_000));
const SEARCHES = Math.max(20, Number(process.env.BENCH_KNOWLEDGE_SEARCHES ?? 300));
const SECTIONS = 10;
const SECTION_CHARS = 900;
const VOCABULARY = 5000;

/** A deterministic random number generator (mulberry32), so both engines index the same corpus. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'ti', 'vo', 'ze', 'pa', 'qui', 'dor', 'fen', 'gal', 'hox'];
const words = Array.from({ length: VOCABULARY }, (_, i) => {
  let word = '';
  for (let n = i + 1; n > 0; n = Math.floor(n / SYLLABLES.length)) word += SYLLABLES[n % SYLLABLES.length];
  return `${word}x`;
});
/** A Zipf(1) draw: word i with probability ∝ 1/(i+1). */
function zipf(next: () => number): string {
  const harmonic = Math.log(VOCABULARY) + 0.5772;
  const target = next() * harmonic;
  let sum = 0;
  for (let i = 0; i < VOCABULARY; i++) {
    sum += 1 / (i + 1);
    if (sum >= target) return words[i]!;
  }
  return words[VOCABULARY - 1]!;
}

function documentText(next: () => number, n: number): string {
  const parts = [`# Document ${n}`];
  for (let s = 0; s < SECTIONS; s++) {
    parts.push(`## Section ${s} ${zipf(next)}`);
    let text = '';
    while (text.length < SECTION_CHARS) text += `${zipf(next)}${next() < 0.1 ? '.\n' : ' '}`;
    parts.push(text);
  }
  return parts.join('\n');
}

async function boot(storage: FleetConfigInput['storage']) {
  const dataDir = mkdtempSync(join(tmpdir(), 'fleet-bench-knowledge-'));
  const config = resolveConfig(
    {
      dataDir,
      storage,
      server: { host: '127.0.0.1', port: 0, rateLimit: { max: 1_000_000_000 } },
      log: { level: 'silent' },
      plugins: { auth: true, knowledge: { chunkChars: 1200 } },
    },
    { env: {}, cwd: dataDir },
  );
  const kernel = await Kernel.boot({ config, log: createLogger({ level: 'silent' }) });
  return {
    api: kernel.api<KnowledgeApi>('knowledge')!,
    close: async () => {
      await kernel.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function run(engine: string, storage: FleetConfigInput['storage']): Promise<string[]> {
  const fleet = await boot(storage);
  try {
    const { documents } = fleet.api;
    const next = random(42);
    let chunks = 0;
    let chars = 0;
    let ingestMs = 0;
    for (let n = 0; chunks < CHUNKS; n++) {
      const content = documentText(next, n);
      const started = performance.now();
      const result = await documents.ingest('bench', { source: `docs/${n}.md`, content, by: 'bench' });
      ingestMs += performance.now() - started;
      chunks += result.chunks;
      chars += content.length;
    }
    const mbPerSecond = chars / 1e6 / (ingestMs / 1000);
    const timings: number[] = [];
    let hits = 0;
    for (let i = 0; i < SEARCHES; i++) {
      const count = 1 + (i % 3);
      const query = Array.from({ length: count }, () => zipf(next)).join(' ');
      const started = performance.now();
      const { results } = await documents.search('bench', {
        terms: searchTerms(query),
        match: 'all',
        limit: 20,
        offset: 0,
      });
      timings.push(performance.now() - started);
      hits += results.length;
    }
    timings.sort((a, b) => a - b);
    const searchable: number[] = [];
    for (let i = 0; i < 20; i++) {
      const word = `fresh${i}word${Date.now().toString(36)}`;
      const started = performance.now();
      await documents.ingest('bench', { source: `fresh/${i}.md`, content: `# Fresh\nA ${word} here.`, by: 'bench' });
      for (;;) {
        const { results } = await documents.search('bench', {
          terms: searchTerms(word),
          match: 'all',
          limit: 1,
          offset: 0,
        });
        if (results.length > 0) break;
      }
      searchable.push(performance.now() - started);
    }
    searchable.sort((a, b) => a - b);
    return [
      engine,
      formatNumber(chunks),
      formatNumber(chars / 1e6, 1),
      formatNumber(mbPerSecond, 2),
      formatNumber(percentile(timings, 50), 2),
      formatNumber(percentile(timings, 99), 2),
      formatNumber(hits / SEARCHES, 1),
      formatNumber(percentile(searchable, 50), 2),
      formatNumber(searchable[searchable.length - 1]!, 2),
    ];
  } finally {
    await fleet.close();
  }
}

async function main(): Promise<void> {
  const rows: string[][] = [];
  const done = (row: string[]) => {
    rows.push(row);
    // Each engine's figures as soon as they are known (PostgreSQL's take minutes more).
    process.stdout.write(`${row.join('  ')}\n`);
  };
  done(await run('sqlite (fts5)', { driver: 'sqlite' }));
  const pgUrl = process.env.FLEET_BENCH_PG_URL;
  if (pgUrl) {
    const name = `knowledge_bench_${process.pid}`;
    const admin = new pg.Client({ connectionString: pgUrl });
    await admin.connect();
    await admin.query(`create database ${name}`);
    try {
      const url = new URL(pgUrl);
      url.pathname = `/${name}`;
      done(await run('postgres (tsvector)', { driver: 'postgres', url: url.toString() }));
    } finally {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  }
  process.stdout.write(
    formatTable(
      [
        'engine',
        'chunks',
        'MB',
        'ingest MB/s',
        'search p50 ms',
        'search p99 ms',
        'hits/search',
        'searchable p50 ms',
        'searchable max ms',
      ],
      rows,
    ) +
      `\n${pgUrl ? '' : 'PostgreSQL skipped: set FLEET_BENCH_PG_URL to run it.\n'}` +
      `Target: a write searchable within 1000 ms. ${machineNote()}\n`,
  );
}

await main();

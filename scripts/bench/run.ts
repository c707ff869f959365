/**
 * `npm run bench [name ...]`: run every scripts/bench/*.bench.ts (or those whose name contains one
 * of the arguments), one after another, each in its own Node process so one benchmark's heap, JIT
 * state and leftover handles cannot colour the next. Output streams through; a summary line ends it.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BENCH_DIR = fileURLToPath(new URL('.', import.meta.url));
const SUFFIX = '.bench.ts';

function benchFiles(filters: readonly string[]): string[] {
  return readdirSync(BENCH_DIR)
    .filter((file) => file.endsWith(SUFFIX))
    .sort()
    .filter((file) => filters.length === 0 || filters.some((filter) => basename(file, SUFFIX).includes(filter)))
    .map((file) => join(BENCH_DIR, file));
}

/** Run one benchmark file; resolves with its exit code (signals count as failures). */
function runOne(file: string): Promise<number> {
  return new Promise((resolveRun) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file], { stdio: 'inherit', env: process.env });
    child.once('error', (error) => {
      process.stderr.write(`bench: cannot start ${basename(file)}: ${error.message}\n`);
      resolveRun(1);
    });
    child.once('exit', (code, signal) => resolveRun(code ?? (signal ? 1 : 0)));
  });
}

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(
      'Usage: npm run bench [-- name ...]\n' +
        'Runs scripts/bench/*.bench.ts (those whose name contains a given name). ' +
        'Env: BENCH_SECONDS (default 5), BENCH_CONNECTIONS (default 32).\n',
    );
    return 0;
  }
  const files = benchFiles(argv);
  if (files.length === 0) {
    process.stderr.write(
      `bench: no benchmark matches ${argv.join(', ')} (have: ${benchFiles([])
        .map((f) => basename(f, SUFFIX))
        .join(', ')})\n`,
    );
    return 2;
  }
  const started = Date.now();
  const failed: string[] = [];
  for (const file of files) {
    const name = basename(file, SUFFIX);
    process.stdout.write(`\n=== ${name} ===\n`);
    if ((await runOne(file)) !== 0) failed.push(name);
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  process.stdout.write(
    `\nbench: ${files.length} run, ${files.length - failed.length} ok, ${failed.length} failed` +
      `${failed.length ? ` (${failed.join(', ')})` : ''} in ${seconds} s\n`,
  );
  return failed.length > 0 ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));

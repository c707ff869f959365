/**
 * logstream benchmark: MB/s parsing a generated Claude Code stream-json log (>= 50 MB, written to
 * a temp dir and removed after), fed in 64 KiB chunks: the native crate, the TypeScript fallback,
 * and the naive `split('\n').map(JSON.parse)` (which does far less: no events, no state, no caps).
 * Then text mode on terminal output with ANSI sequences. Best of BENCH_RUNS (default 3) runs.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogStreamFallback, NativeLogStream, nativeLogstream } from '../../core/native/logstream.js';
import type { LogStreamConstructor } from '../../core/native/logstream-types.js';
import { writeCorpus } from './lib/stream-json-corpus.js';
import { formatNumber, formatTable } from './lib/table.js';

const CHUNK = 64 * 1024;
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
const MB = 1024 * 1024;

function best(run: () => number): number {
  let fastest = Infinity;
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    run();
    fastest = Math.min(fastest, performance.now() - started);
  }
  return fastest;
}

function parseAll(
  LogStream: LogStreamConstructor,
  bytes: Buffer,
  mode: 'ndjson' | 'text',
  previewChars?: number,
): number {
  const stream = new LogStream({ mode, previewChars });
  let events = 0;
  for (let at = 0; at < bytes.length; at += CHUNK) events += stream.feed(bytes.subarray(at, at + CHUNK)).length;
  return events + stream.end().length;
}

/** Terminal output as a `command` worker prints it: colours, progress bars with CR, OSC titles. */
function terminalCorpus(bytes: number): Buffer {
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const line =
      i % 7 === 0
        ? `\x1b]0;build ${i}\x07\x1b[1;32m✔\x1b[0m compiled \x1b[36msrc/module-${i}.ts\x1b[0m in ${i % 97} ms`
        : i % 5 === 0
          ? `Downloading ${i % 100}%\rDownloading ${(i + 40) % 100}%\r\x1b[KDownloaded package-${i}`
          : `plain output line ${i}: the worker is doing ordinary things with ordinary text, naïve café 日本`;
    lines.push(line);
    size += Buffer.byteLength(line) + 1;
  }
  return Buffer.from(`${lines.join('\n')}\n`);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-bench-logstream-'));
  try {
    const file = join(dir, 'session.ndjson');
    const written = await writeCorpus(file, 50 * MB);
    const corpus = readFileSync(file);
    const terminal = terminalCorpus(20 * MB);
    const native = nativeLogstream.module ? NativeLogStream : undefined;
    if (!native)
      process.stdout.write(
        `native logstream not loaded (${nativeLogstream.error?.message ?? 'no binary: npm run build:native'}); ` +
          'fallback rows only\n',
      );

    const rows: string[][] = [];
    const rate = (ms: number, bytes: number) => bytes / MB / (ms / 1000);
    const events = parseAll(LogStreamFallback, corpus, 'ndjson');
    const jsMs = best(() => parseAll(LogStreamFallback, corpus, 'ndjson'));
    const naiveMs = best(() => {
      const lines = corpus.toString('utf8').split('\n');
      let parsed = 0;
      for (const line of lines) if (line) parsed += JSON.parse(line) ? 1 : 0;
      return parsed;
    });
    const nativeMs = native ? best(() => parseAll(native, corpus, 'ndjson')) : undefined;
    const row = (name: string, ms: number | undefined, bytes: number, base: number) =>
      ms === undefined
        ? [name, 'n/a', 'n/a', 'n/a']
        : [name, formatNumber(rate(ms, bytes), 0), formatNumber(ms, 0), formatNumber(base / ms, 2)];
    // Larger previews mean more text to hand to JS: the native side pays for it, the fallback not.
    const nativeWideMs = native ? best(() => parseAll(native, corpus, 'ndjson', 4000)) : undefined;
    const jsWideMs = best(() => parseAll(LogStreamFallback, corpus, 'ndjson', 4000));
    rows.push(row('ndjson: native logstream', nativeMs, corpus.length, jsMs));
    rows.push(row('ndjson: TypeScript fallback', jsMs, corpus.length, jsMs));
    rows.push(row('ndjson: native, previewChars 4000', nativeWideMs, corpus.length, jsWideMs));
    rows.push(row('ndjson: fallback, previewChars 4000', jsWideMs, corpus.length, jsWideMs));
    rows.push(row("ndjson: naive split('\\n').map(JSON.parse)", naiveMs, corpus.length, jsMs));
    const textJsMs = best(() => parseAll(LogStreamFallback, terminal, 'text'));
    const textNativeMs = native ? best(() => parseAll(native, terminal, 'text')) : undefined;
    rows.push(row('text:   native logstream', textNativeMs, terminal.length, textJsMs));
    rows.push(row('text:   TypeScript fallback', textJsMs, terminal.length, textJsMs));

    process.stdout.write(
      [
        `stream-json corpus: ${formatNumber(corpus.length / MB, 1)} MB, ${formatNumber(written.lines)} lines, ` +
          `${formatNumber(events)} events; terminal corpus: ${formatNumber(terminal.length / MB, 1)} MB.`,
        `Fed in ${CHUNK / 1024} KiB chunks; best of ${RUNS} runs; previewChars 1000 (the default) unless said. ` +
          '"x fallback" compares with the fallback row of the same settings.',
        formatTable(['parser', 'MB/s', 'ms', 'x fallback'], rows),
        `Node ${process.version}; one process, one core.`,
      ].join('\n') + '\n',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();

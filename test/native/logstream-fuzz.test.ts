import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { LogEvent, LogStreamConstructor, LogStreamOptions } from '../../core/native/logstream-types.js';
import { bothOrNone, logstreamImpls, rng } from './impls.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'stream-json');
const corpus = Buffer.concat(
  readdirSync(FIXTURES)
    .filter((n) => n.endsWith('.ndjson'))
    .map((n) => readFileSync(join(FIXTURES, n))),
);

/** Random bytes, with newlines, escape sequences and JSON punctuation mixed in at `density`. */
function noise(random: () => number, length: number, density: number): Buffer {
  const bytes = Buffer.alloc(length);
  const specials = [10, 13, 27, 91, 93, 123, 125, 34, 92, 58, 44, 0xe2, 0x82, 0xac, 0xf0, 0x9f];
  for (let i = 0; i < length; i++)
    bytes[i] = random() < density ? specials[Math.floor(random() * specials.length)]! : Math.floor(random() * 256);
  return bytes;
}

/** The corpus with some bytes flipped, dropped or repeated: almost-valid stream-json. */
function mutate(random: () => number, source: Buffer): Buffer {
  const out: number[] = [];
  for (const byte of source) {
    const r = random();
    if (r < 0.002) continue;
    if (r < 0.004) out.push(byte, byte);
    else if (r < 0.006) out.push(Math.floor(random() * 256));
    else out.push(byte);
  }
  return Buffer.from(out);
}

function feedAll(
  LogStream: LogStreamConstructor,
  bytes: Buffer,
  random: () => number,
  options: LogStreamOptions,
): { events: LogEvent[]; stats: unknown; tail: string[] } {
  const s = new LogStream(options);
  const events: LogEvent[] = [];
  for (let at = 0; at < bytes.length;) {
    const size = 1 + Math.floor(random() * 200);
    events.push(...s.feed(bytes.subarray(at, at + size)));
    at += size;
  }
  events.push(...s.end());
  return { events, stats: { ...s.stats(), msSinceLastEvent: 0 }, tail: s.tail() };
}

for (const impl of logstreamImpls()) {
  t.test(
    `random bytes never crash and memory stays bounded (${impl.name})`,
    { skip: impl.skip ?? false },
    async (t) => {
      if (impl.loadError) return t.fail(`the native binary exists but did not load: ${impl.loadError.message}`);
      const LogStream = impl.value!;
      const random = rng(42);
      for (const mode of ['ndjson', 'text'] as const) {
        const s = new LogStream({ mode, maxLineBytes: 4096, ringLines: 100, ringLineBytes: 256 });
        let events = 0;
        let rssAfterWarmup = 0;
        const rounds = 24;
        for (let round = 0; round < rounds; round++) {
          // Some rounds have no newline at all: one endless line.
          const chunk = noise(random, 256 * 1024, round % 3 === 0 ? 0 : 0.02);
          const clean = round % 3 === 0 ? Buffer.from(chunk.map((b) => (b === 10 ? 32 : b))) : chunk;
          for (let at = 0; at < clean.length; at += 8192) events += s.feed(clean.subarray(at, at + 8192)).length;
          if (s.stats().bufferedBytes > 4096)
            return t.fail(`buffered ${s.stats().bufferedBytes} bytes, over maxLineBytes`);
          if (round === 6) rssAfterWarmup = process.memoryUsage().rss;
        }
        events += s.end().length;
        const growth = process.memoryUsage().rss - rssAfterWarmup;
        t.ok(s.tail().length <= 100, `${mode}: the ring is bounded`);
        t.ok(
          growth < 64 * 1024 * 1024,
          `${mode}: rss grew ${(growth / 1048576).toFixed(1)} MiB over 4.5 MiB of noise after warm-up`,
        );
        t.ok(
          events > 0 && s.stats().bytes === rounds * 256 * 1024,
          `${mode}: ${events} events from ${s.stats().bytes} bytes, no throw`,
        );
      }
    },
  );
}

const both = bothOrNone(logstreamImpls());
t.test(
  'native and fallback give identical events on damaged and random input',
  { skip: both ? false : 'the native logstream is not loaded' },
  async (t) => {
    if (!both) return;
    for (let seed = 1; seed <= 40; seed++) {
      const random = rng(seed);
      const input = seed % 4 === 0 ? noise(random, 20_000, 0.1) : mutate(random, corpus);
      const options: LogStreamOptions = {
        mode: seed % 5 === 0 ? 'text' : 'ndjson',
        maxLineBytes: 64 + Math.floor(random() * 4000),
        previewChars: Math.floor(random() * 300),
        ringLineBytes: 1 + Math.floor(random() * 100),
        unknownDataBytes: Math.floor(random() * 400),
      };
      const chunking = rng(seed * 1000);
      const native = feedAll(both.native, input, chunking, options);
      const js = feedAll(both.js, input, rng(seed * 1000), options);
      t.same(native, js, `seed ${seed} (${options.mode}, ${input.length} bytes, ${js.events.length} events)`);
    }
  },
);

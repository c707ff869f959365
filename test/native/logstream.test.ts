import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import type { LogEvent, LogStreamConstructor, LogStreamOptions } from '../../core/native/logstream-types.js';
import { logstreamImpls, rng } from './impls.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'stream-json');
const fixtures = readdirSync(FIXTURES)
  .filter((name) => name.endsWith('.ndjson'))
  .map((name) => ({
    name,
    bytes: readFileSync(join(FIXTURES, name)),
    golden: JSON.parse(readFileSync(join(FIXTURES, name.replace('.ndjson', '.events.json')), 'utf8')) as LogEvent[],
  }));
/** The options the golden files were written with. */
const GOLDEN: LogStreamOptions = { previewChars: 200 };

/** Feed `bytes` in the given chunk sizes (cycled), then end. */
function parse(
  LogStream: LogStreamConstructor,
  bytes: Uint8Array,
  sizes: number[] = [bytes.length || 1],
  options: LogStreamOptions = {},
): LogEvent[] {
  const stream = new LogStream(options);
  const events: LogEvent[] = [];
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const size = Math.max(1, sizes[i % sizes.length]!);
    events.push(...stream.feed(bytes.subarray(at, at + size)));
    at += size;
  }
  events.push(...stream.end());
  return events;
}

const texts = (events: LogEvent[]): string[] =>
  events.flatMap((e) => (e.kind === 'line' || e.kind === 'text' ? [e.text] : []));

function suite(t: Test, LogStream: LogStreamConstructor): void {
  t.test('golden stream-json fixtures', async (t) => {
    for (const fixture of fixtures)
      t.same(parse(LogStream, fixture.bytes, undefined, GOLDEN), fixture.golden, fixture.name);
  });

  t.test('any chunking gives the same events (property)', async (t) => {
    const random = rng(7);
    for (const fixture of fixtures) {
      t.same(parse(LogStream, fixture.bytes, [1], GOLDEN), fixture.golden, `${fixture.name} one byte at a time`);
      for (let trial = 0; trial < 25; trial++) {
        const sizes = Array.from({ length: 17 }, () => 1 + Math.floor(random() * (trial < 12 ? 16 : 700)));
        const got = parse(LogStream, fixture.bytes, sizes, GOLDEN);
        if (!t.same(got, fixture.golden, `${fixture.name} chunks ${sizes.join(',')}`)) break;
      }
    }
  });

  t.test('multi-byte UTF-8 split at every byte', async (t) => {
    const line = 'aé€😀 日本語 \u{10ffff}z';
    const ndjson = Buffer.from(
      `${JSON.stringify({ type: 'assistant', message: { content: [{ type: 'text', text: line }] } })}\n`,
    );
    const text = Buffer.from(`${line}\n`);
    for (let cut = 1; cut < ndjson.length; cut++) {
      const s = new LogStream();
      const events = [...s.feed(ndjson.subarray(0, cut)), ...s.feed(ndjson.subarray(cut))];
      if (!t.same(texts(events), [line], `ndjson cut at ${cut}`)) break;
    }
    for (let cut = 1; cut < text.length; cut++) {
      const s = new LogStream({ mode: 'text' });
      const events = [...s.feed(text.subarray(0, cut)), ...s.feed(text.subarray(cut))];
      if (!t.same(texts(events), [line], `text cut at ${cut}`)) break;
    }
    t.same(
      texts(parse(LogStream, Buffer.from('ok \xff\xfe bad\n', 'latin1'), [3], { mode: 'text' })),
      ['ok \ufffd\ufffd bad'],
      'invalid UTF-8 becomes U+FFFD',
    );
  });

  t.test('text mode: ANSI stripped, overwrites applied', async (t) => {
    const cases: [string, string][] = [
      ['plain line', 'plain line'],
      ['\x1b[1;31mred\x1b[0m and \x1b[38;5;208morange\x1b[m', 'red and orange'],
      ['\x1b]0;window title\x07prompt $ ', 'prompt $ '],
      ['\x1b]8;;https://example.com\x1b\\link\x1b]8;;\x1b\\', 'link'],
      ['abc\rxy', 'xyc'],
      ['Downloading 10%\rDownloading 55%\rDownloading 100%', 'Downloading 100%'],
      ['a long old status\r\x1b[Knew', 'new'],
      ['a long old status\r\x1b[2Knew', 'new'],
      ['abcdef\x1b[3D\x1b[K!', 'abc!'],
      ['spinner |\b/\b-\b\\', 'spinner \\'],
      ['tabs\tstay', 'tabs\tstay'],
      ['\x1b(Bcharset \x1b=keypad', 'charset keypad'],
      ['col\x1b[10Gten', 'col      ten'],
      ['\x1b[?25l\x1b[?2004hhidden cursor\x1b[?25h', 'hidden cursor'],
      ['bell\x07 and nul\x00 dropped', 'bell and nul dropped'],
      ['unterminated \x1b[31', 'unterminated '],
      ['unterminated osc \x1b]0;title', 'unterminated osc '],
      ['crlf line\r', 'crlf line'],
      ['ünïcødé \x1b[4m😀\x1b[24m', 'ünïcødé 😀'],
    ];
    const input = Buffer.from(cases.map(([raw]) => raw).join('\n') + '\n');
    const events = parse(LogStream, input, [5], { mode: 'text' });
    t.same(
      texts(events),
      cases.map(([, want]) => want),
    );
    const huge = parse(LogStream, Buffer.from('x\x1b[99999999Gy\n'), undefined, { mode: 'text' });
    t.equal(texts(huge)[0]!.length, 10_000, 'a cursor move cannot allocate past column 10 000');
  });

  t.test('long lines are cut and marked, memory stays bounded', async (t) => {
    const s = new LogStream({ maxLineBytes: 64 });
    const long = JSON.stringify({ type: 'assistant', message: { content: [{ type: 'text', text: 'é'.repeat(500) }] } });
    const events: LogEvent[] = [];
    for (let at = 0; at < long.length; at += 10) {
      events.push(...s.feed(long.slice(at, at + 10)));
      t.ok(s.stats().bufferedBytes <= 64, 'the partial line never holds more than maxLineBytes');
    }
    events.push(...s.feed('\n{"type":"result","subtype":"success","is_error":false}\n'));
    const [cut, result] = events;
    t.match(cut, { kind: 'unparsed', reason: 'line too long', truncated: true, line: 1 });
    t.ok(Buffer.byteLength((cut as { text: string }).text) <= 64, 'the preview is within the cap');
    t.notOk((cut as { text: string }).text.includes('\ufffd'), 'cut on a character boundary');
    t.match(result, { kind: 'result', line: 2 }, 'the next line parses');
    t.equal(s.stats().truncated, 1);
    t.equal(s.stats().offset, Buffer.byteLength(long) + 1 + 55);

    const text = new LogStream({ mode: 'text', maxLineBytes: 8 });
    t.match(text.feed('0123456789abcdef\nshort\n'), [
      { kind: 'line', text: '01234567', truncated: true },
      { kind: 'state' },
      { kind: 'line', text: 'short', truncated: false },
    ]);
  });

  t.test('offsets resume a log where it stopped', async (t) => {
    const whole = fixtures.find((f) => f.name === 'tool-calls.ndjson')!;
    const all = parse(LogStream, whole.bytes);
    const middle = all[Math.floor(all.length / 2)]!;
    const resumed = parse(LogStream, whole.bytes.subarray(middle.offset), [300], { startOffset: middle.offset });
    const strip = (events: LogEvent[]): unknown[] =>
      events.filter((e) => e.kind !== 'state').map(({ line: _line, ...rest }) => rest);
    t.same(strip(resumed), strip(all.filter((e) => e.offset > middle.offset)), 'the same events, at the same offsets');
    t.equal(all.at(-1)!.offset, whole.bytes.length, 'the last offset is the end of the log');
  });

  t.test('the ring keeps the last lines, filtered by pattern', async (t) => {
    const s = new LogStream({ mode: 'text', ringLines: 3, ringLineBytes: 8 });
    s.feed('one\ntwo\n\x1b[32mthree\x1b[0m\nfour is long\nfive\n');
    t.same(s.tail(), ['three', 'four is ', 'five'], 'three lines, each cut to 8 bytes, rendered');
    t.same(s.tail(2), ['four is ', 'five']);
    t.same(s.tail(10, 'f'), ['four is ', 'five']);
    t.same(s.tail(10, 'nothing'), []);
    t.same(s.tail(0), []);
    const n = new LogStream({ ringLines: 2 });
    n.feed('{"type":"a"}\n\n   \n{"type":"b"}\nnot json\n');
    t.same(n.tail(), ['{"type":"b"}', 'not json'], 'blank lines are not remembered');
    t.same(new LogStream({ ringLines: 0 }).tail(), []);
  });

  t.test('state signals and time since the last event', async (t) => {
    const s = new LogStream();
    t.equal(s.state, 'starting');
    t.equal(s.stats().msSinceLastEvent, null);
    s.feed('{"type":"system","subtype":"init","session_id":"x"}\n');
    t.equal(s.state, 'ready');
    s.feed('{"type":"assistant","message":{"content":[]}}\n');
    t.equal(s.state, 'working');
    s.feed('{"type":"result","subtype":"success","is_error":false}\n');
    t.equal(s.state, 'idle');
    s.feed('{"type":"result","subtype":"success","is_error":true}\n');
    t.equal(s.state, 'error');
    await new Promise((resolve) => setTimeout(resolve, 30));
    t.ok(s.stats().msSinceLastEvent! >= 25, 'time since the last event grows');
    s.feed('{"type":"system","subtype":"init"}\n');
    t.equal(s.state, 'working', 'a new turn after an error');
    t.ok(s.stats().msSinceLastEvent! < 25);

    const text = new LogStream({ mode: 'text', idleMarker: '$ ', errorMarker: 'FATAL' });
    t.match(text.feed('building...\n\n$ \nFATAL: out of disk\n'), [
      { kind: 'line', text: 'building...' },
      { kind: 'state', state: 'working', previous: 'starting' },
      { kind: 'line', text: '' },
      { kind: 'line', text: '$ ' },
      { kind: 'state', state: 'idle', previous: 'working' },
      { kind: 'line', text: 'FATAL: out of disk' },
      { kind: 'state', state: 'error', previous: 'idle' },
    ]);
  });

  t.test('a resumed log starts from the state it had', async (t) => {
    const s = new LogStream({ state: 'idle', startOffset: 1000 });
    t.equal(s.state, 'idle');
    t.match(s.feed('{"type":"system","subtype":"init"}\n'), [
      { kind: 'init', offset: 1035 },
      { kind: 'state', state: 'working', previous: 'idle' },
    ]);
    t.throws(() => new LogStream({ state: 'stopped' as 'idle' }), {
      message: 'state: must be starting, ready, working, idle or error',
    });
  });

  t.test('counts and bad input', async (t) => {
    const s = new LogStream();
    s.feed('not json\n{"type":"x"}\n[]\n{"unterminated"');
    t.match(s.stats(), { lines: 3, unparsed: 2, events: 3, bufferedBytes: 15, bytes: 40, offset: 25 });
    t.match(s.end(), [{ kind: 'unparsed', reason: 'invalid json', offset: 40 }]);
    t.match(s.stats(), { lines: 4, unparsed: 3, bufferedBytes: 0, offset: 40 });
    t.same(s.end(), [], 'ending twice adds nothing');
    t.same(s.feed(new Uint8Array(0)), []);
    t.throws(() => s.feed(42 as unknown as string), { message: 'chunk: must be a Uint8Array or a string' });
    t.throws(() => new LogStream({ mode: 'xml' as 'text' }), { message: 'mode: must be ndjson or text' });
    t.throws(() => new LogStream({ maxLineBytes: 0 }), { message: 'maxLineBytes: must be an integer of at least 1' });
    t.throws(() => new LogStream({ previewChars: 1.5 }), { message: 'previewChars: must be an integer of at least 0' });
    t.throws(() => s.tail(-1), { message: 'max: must be an integer of at least 0' });
  });

  t.test('tool result previews count UTF-16 units and keep surrogate pairs whole', async (t) => {
    const line = (content: unknown): string => {
      const block = { type: 'tool_result', tool_use_id: 't', content };
      return `${JSON.stringify({ type: 'user', message: { content: [block] } })}\n`;
    };
    const s = new LogStream({ previewChars: 4 });
    t.match(s.feed(line('abc😀d')), [{ kind: 'tool_result', text: 'abc', truncated: true }]);
    t.match(s.feed(line('ab😀d')), [{ kind: 'tool_result', text: 'ab😀', truncated: true }]);
    t.match(
      s.feed(
        line([
          { type: 'text', text: 'ab' },
          { type: 'text', text: 'cd' },
        ]),
      ),
      [{ kind: 'tool_result', text: 'ab\nc' }],
    );
    t.match(s.feed('{"type":"user","message":{"content":[{"type":"tool_result","content":"abc\\ud83d\\ude00"}]}}\n'), [
      { text: 'abc', truncated: true },
    ]);
    t.match(
      s.feed('{"type":"user","message":{"content":[{"type":"tool_result","content":"ab\\ud800"}]}}\n'),
      [{ text: 'ab\ud800', truncated: false }],
      'a lone surrogate survives when nothing is cut',
    );
  });
}

for (const impl of logstreamImpls()) {
  t.test(`logstream (${impl.name})`, { skip: impl.skip ?? false }, async (t) => {
    if (impl.loadError) return t.fail(`the native binary exists but did not load: ${impl.loadError.message}`);
    suite(t, impl.value!);
  });
}

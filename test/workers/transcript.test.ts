/**
 * The transcript renderer on captured stream-json (test/fixtures/stream-json): what a person reads
 * in a worker's pane and in `fleet logs`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { inputRecord, plain, renderToolResult, Transcript, transcriptTail } from '../../core/workers/transcript.js';
import { REPO_ROOT } from '../kit/index.js';

const fixture = (name: string) =>
  readFileSync(join(REPO_ROOT, 'test/fixtures/stream-json', `${name}.ndjson`), 'utf8').split('\n');

/** Render a whole log with one transcript, colours removed. */
const render = (lines: readonly string[]) => {
  const transcript = new Transcript();
  return lines.flatMap((line) => transcript.render(line)).map(plain);
};

t.test('a turn: session once, assistant text, tool call, its result as text, the result with cost', async (t) => {
  const out = render(fixture('turn-success'));
  t.same(out, [
    '● session a5fb4949-d729-40ad-9771-c25b7d4625cb · model claude-sonnet-5-5 · 5 tools',
    'Hello from the mock. I will report my status.',
    '→ mcp__fleet__report_status {"status":"done","note":"from mock model"}',
    '  ← ack done',
    'All done (mock).',
    '■ done (2 turns · $0.0008)',
  ]);
});

t.test('the session line is shown once per session, not at every turn', async (t) => {
  const turn = fixture('turn-success');
  const out = render([...turn, ...turn, ...turn]);
  t.equal(out.filter((line) => line.startsWith('● session')).length, 1, 'three turns, one session line');
  t.equal(out.filter((line) => line.startsWith('■ done')).length, 3, 'each turn still ends with its result');
  const other = turn[0]!.replace('a5fb4949-d729-40ad-9771-c25b7d4625cb', '00000000-0000-4000-8000-000000000009');
  t.equal(
    render([...turn, other]).filter((line) => line.startsWith('● session')).length,
    2,
    'a new session is named again',
  );
});

t.test('tool results are readable text, not escaped JSON', async (t) => {
  const out = render(fixture('tool-calls'));
  const joined = out.join('\n');
  t.match(joined, /← {6}1\timport \{ defineConfig \} from '\.\/core\/index\.js';/, 'a string result, line by line');
  t.match(joined, /\n {4} {5}3\t\/\/ Ünïcödé and an emoji 😀 survive\./, 'its later lines indented, unicode intact');
  t.match(joined, /← Found 2 files\n {4}\[image\]\n {4}\/repo\/core\/config\/schema\.ts/, 'text blocks joined');
  const results = out.filter((line) => /^ {2}(←| {2})/.test(line)).join('\n');
  t.notMatch(results, /\\n|\\"|"type":"text"/, 'no escaped newlines, quotes or block JSON in the results');
  t.notMatch(joined, /iVBORw0KGgo/, 'an image is named, not dumped');

  t.ok(out.includes('  ← error: <tool_use_error>String to replace not found in file.</tool_use_error>'), 'an error');
});

t.test('JSON results are pretty-printed; long output is cut with a note', async (t) => {
  const json = renderToolResult([{ type: 'text', text: '{"id":"t1","subject":"Fix the tests","blockedBy":[]}' }]).map(
    plain,
  );
  t.same(json, ['  ← {', '      "id": "t1",', '      "subject": "Fix the tests",', '      "blockedBy": []', '    }']);

  const long = Array.from({ length: 500 }, (_, i) => `line ${i + 1}`).join('\n');
  const cut = renderToolResult(long).map(plain);
  t.equal(cut.length, 9, '8 lines and a note');
  t.equal(cut[0], '  ← line 1');
  t.equal(cut[7], '    line 8');
  t.match(cut[8], /^ {4}… 492 more lines \(\d+ chars\) not shown$/);

  const wide = plain(renderToolResult('x'.repeat(5000))[0]!);
  t.ok(wide.length < 220, `one very long line is cut too (${wide.length} chars)`);
  t.same(renderToolResult('').map(plain), ['  ← (no output)']);
  t.same(renderToolResult('boom', true).map(plain), ['  ← error: boom'], 'an error result is marked');
});

t.test("inputs are shown as the user's: the fleet's record and Claude Code's replay", async (t) => {
  const out = render([
    inputRecord('prompt', 'Fix the failing tests\nthen commit'),
    ...fixture('turn-success'),
    inputRecord('pane', 'and push'),
  ]);
  t.same(out.slice(0, 2), ['› Fix the failing tests', '  then commit'], 'the initial prompt first, marked');
  t.equal(out.at(-1), '› and push');
  const garbage = render(fixture('garbage'));
  t.ok(garbage.includes('› Replayed prompt: fix the tests'), '--replay-user-messages reads the same way');
  t.ok(garbage.includes('  ↳ Stop hook feedback: run the linter'), 'synthetic feedback is shown dimly');
  t.ok(garbage.includes('Warning: stdout is not a terminal'), 'a line that is not JSON passes through');
  t.notOk(garbage.includes(''), 'blank lines are dropped');
  t.ok(garbage.includes('plain string content 😀'), 'assistant content given as a plain string');
});

t.test('garbage never throws', async (t) => {
  const transcript = new Transcript();
  for (const line of [
    ...fixture('garbage'),
    'null',
    '{"type":"assistant"}',
    '{"type":"assistant","message":{"content":[null,{"type":"tool_use"}]}}',
    '{"type":"user","message":{"content":[{"type":"tool_result","content":{"a":1}}]}}',
    '{"type":"fleet_input","text":42}',
  ])
    t.doesNotThrow(() => transcript.render(line), line);
});

t.test('the tail of a log: the last lines of its transcript', async (t) => {
  const log = [...fixture('tool-calls'), ...fixture('turn-success')];
  const tail = transcriptTail(log, 5).map(plain);
  t.equal(tail.length, 5);
  t.equal(tail.at(-1), '■ done (2 turns · $0.0008)');
  t.same(transcriptTail([], 5), []);
});

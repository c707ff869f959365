/**
 * Refused tool calls in the transcript: a call Claude Code did not run for want of permission, or
 * because a PreToolUse hook (the fleet's policy, a project's own) denied it, reads as a refusal with
 * its reason, once, and not as one more tool error. On the real Claude Code's stream-json
 * (test/workers/fixtures/refusals.ndjson, recorded from 2.1.330 against the scripted model API by
 * test/workers/fixtures/record-refusals.ts) and on the shapes older versions and the fake agent write.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { plain, Transcript } from '../../core/workers/transcript.js';
import { REPO_ROOT } from '../kit/index.js';

const lines = (path: string) => readFileSync(join(REPO_ROOT, path), 'utf8').split('\n');
/** The recording's runs, one session each: a call needing approval, a hook's JSON deny, an exit-2 hook, a deny rule. */
const runs = (() => {
  const all = lines('test/workers/fixtures/refusals.ndjson').filter(Boolean);
  const starts = all.flatMap((line, i) => (line.includes('"subtype":"init"') ? [i] : []));
  return starts.map((start, i) => all.slice(start, starts[i + 1]));
})();

const render = (log: readonly string[]) => {
  const transcript = new Transcript();
  return log.flatMap((line) => transcript.render(line)).map(plain);
};

const toolResult = (id: string, content: unknown, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    type: 'user',
    message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: id, is_error: true, content }] },
    ...extra,
  });
const toolUse = (id: string, name: string, input: unknown) =>
  JSON.stringify({ type: 'assistant', message: { content: [{ type: 'tool_use', id, name, input }] } });
const result = (denials: unknown[]) =>
  JSON.stringify({ type: 'result', subtype: 'success', is_error: false, num_turns: 2, permission_denials: denials });

t.test('the real Claude Code: each refusal once, with its reason, and the turn says so at its end', async (t) => {
  t.equal(runs.length, 4, 'four recorded runs');
  const [approval, hookJson, hookExit2, denyRule] = runs.map(render) as [string[], string[], string[], string[]];

  const refused = (out: string[]) => out.filter((line) => line.startsWith('✗ refused'));
  t.match(
    refused(approval),
    [/^✗ refused Bash: touch in '\/tmp\/w\/plain\/for' needs approval\. The path is inside the working directories/],
    'needs approval: one refusal for the permission_denied line, the error result and the denial listed',
  );
  t.equal(refused(approval).length, 1);
  t.notOk(
    approval.some((line) => line.includes('← error')),
    'not also shown as a tool error',
  );
  t.match(approval.at(-1), /^■ done ✗ 1 refused \(2 turns · \$0\.\d{4}\)$/, 'the green done carries the refusal');

  t.same(refused(hookJson), ['✗ refused Bash (hook): policy: no touching files (rule no-touch)'], 'a hook says no');
  t.same(
    refused(hookExit2),
    ['✗ refused Bash (hook): BLOCKED by policy: touch is not allowed here'],
    "an exit-2 hook: its stderr, without the hook's command",
  );
  for (const out of [hookJson, hookExit2]) {
    t.notOk(
      out.some((line) => line.startsWith('  ← error')),
      'not a tool error',
    );
    t.match(out.at(-1), /^■ done ✗ 1 refused /);
  }

  // Control: a tool that is not there at all (denied by a rule up front) is an error, not a refusal.
  t.same(refused(denyRule), []);
  t.ok(
    denyRule.includes(
      '  ← error: <tool_use_error>Error: No such tool available: Bash. Bash is disabled for this session, ' +
        'in subagents as well as here.</tool_use_error>',
    ),
  );
  t.match(denyRule.at(-1), /^■ done \(2 turns/, 'and its turn ends plainly');
});

t.test("the earlier recording's permission_denied line, and the words older versions use", async (t) => {
  const failures = render(lines('test/fixtures/stream-json/failures.ndjson'));
  t.ok(failures.includes("✗ refused Bash: touch in '/tmp/w/created-by-bash' needs approval."), 'the system line');
  t.notOk(
    failures.some((line) => line.includes('Permission to use Bash has been denied')),
    'the error result after it is the same refusal: not shown again',
  );

  // No system line, no tool_result_meta: the text alone says it; the tool comes from the call.
  t.same(
    render([
      toolUse('toolu_1', 'Write', { file_path: 'a.txt' }),
      toolResult('toolu_1', 'Permission to use Write has been denied.'),
    ]).slice(1),
    ['✗ refused Write: Permission to use Write has been denied.'],
  );
  t.same(
    render([toolResult('toolu_2', "Claude requested permissions to use Bash, but you haven't granted it yet.")]),
    ["✗ refused Bash: Claude requested permissions to use Bash, but you haven't granted it yet."],
    'the tool named in the text when the call was not seen',
  );
  t.same(
    render([
      toolResult('toolu_3', [{ type: 'text', text: 'PreToolUse:Edit hook error: Fleet policy "docs-only": no' }]),
    ]),
    ['✗ refused Edit (hook): Fleet policy "docs-only": no'],
    'a hook denial in text blocks, the tool from its prefix',
  );
  t.same(
    render([
      toolUse('toolu_4', 'Bash', { command: 'rm -rf build' }),
      toolResult('toolu_4', 'Rejected.', {
        tool_result_meta: [{ id: 'toolu_4', permission_decision: { decision: 'reject', source: 'user_reject' } }],
      }),
    ]).slice(1),
    ['✗ refused Bash: Rejected.'],
    'any wording, when tool_result_meta says the call was rejected',
  );
  t.same(render([toolResult('toolu_5', 'PreToolUse:Bash hook error: ')]), ['✗ refused Bash (hook): (no reason given)']);
});

t.test('what is not a refusal stays what it was', async (t) => {
  t.same(
    render([
      toolUse('toolu_1', 'Bash', { command: 'cat notes' }),
      JSON.stringify({
        type: 'user',
        message: {
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1', content: 'PreToolUse:Bash hook error: quoted in a file' },
          ],
        },
      }),
    ]).slice(1),
    ['  ← PreToolUse:Bash hook error: quoted in a file'],
    'a result that only quotes the words (the call ran)',
  );
  t.same(render([toolResult('toolu_2', 'Exit code 1\nPermission denied')]), [
    '  ← error: Exit code 1',
    '    Permission denied',
  ]);
  t.same(
    render([
      toolResult('toolu_3', 'boom', {
        tool_result_meta: [{ id: 'toolu_3', permission_decision: { decision: 'accept', source: 'config' } }],
      }),
    ]),
    ['  ← error: boom'],
    'an accepted call that failed',
  );
});

t.test("a result's permission_denials: shown when the transcript has not shown them (a tail)", async (t) => {
  const denial = { tool_name: 'Bash', tool_use_id: 'toolu_9', tool_input: { command: 'touch x' } };
  t.same(render([result([denial])]), ['✗ refused Bash: {"command":"touch x"}', '■ done ✗ 1 refused (2 turns)']);
  const out = render([
    toolUse('toolu_9', 'Bash', { command: 'touch x' }),
    toolResult('toolu_9', "Claude requested permissions to use Bash, but you haven't granted it yet."),
    result([denial]),
    // The next turn: the same id again is a new call to show (the memory is per turn).
    result([denial]),
  ]);
  t.equal(out.filter((line) => line.startsWith('✗ refused')).length, 2, 'once in the first turn, once in the next');
  t.same(render([result([null, 42, { tool_name: 7 }])]), ['■ done (2 turns)'], 'garbage in the list is skipped');
});

t.test('refusal garbage never throws', async (t) => {
  const transcript = new Transcript();
  for (const line of [
    '{"type":"system","subtype":"permission_denied"}',
    '{"type":"system","subtype":"permission_denied","message":{"x":1},"tool_use_id":5}',
    JSON.stringify({
      type: 'user',
      message: { content: [{ type: 'tool_result', is_error: true, content: null }] },
      tool_result_meta: {},
    }),
    JSON.stringify({
      type: 'user',
      message: { content: [{ type: 'tool_result', is_error: true }] },
      tool_result_meta: [null, 1, { id: 1 }],
    }),
    '{"type":"result","permission_denials":{"a":1}}',
    '{"type":"user","message":"text"}',
  ])
    t.doesNotThrow(() => transcript.render(line), line);
});

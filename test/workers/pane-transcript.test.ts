/**
 * What a person sees in a worker's pane, read back with `tmux capture-pane`: the initial prompt,
 * the session line once, a typed line once, and after a restart the end of what came before. And
 * what the pane host records of its inputs in output.log (what `fleet logs` and a restart render).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import {
  FAKE_AGENT,
  groupAlive,
  hostPids,
  paneHostWindow,
  paneWorkerDir,
  pidAlive,
  REPO_ROOT,
  type TestLike,
  waitFor,
} from '../kit/index.js';

/** A worker dir running the fake agent (stream-json) with this session and prompt. */
function fakeAgentDir(t: TestLike, sessionId: string, initialPrompt: string): string {
  const argv = [process.execPath, FAKE_AGENT, '--session-id', sessionId];
  return paneWorkerDir(t, { format: 'ndjson', argv, initialPrompt }, 'fleet-transcript-');
}

/** The pane host in a window of a private tmux server; host and agent killed at teardown. */
const paneIn = (t: TestLike, dir: string) => paneHostWindow(t, dir, { tag: 'transcript' });

const screenLines = (text: string) => text.split('\n').map((line) => line.trimEnd());

t.test('the pane: the initial prompt, the session once, a typed line once', async (t) => {
  const dir = fakeAgentDir(t, 'abcdefab-0000-4000-8000-0000000000a1', 'WRITE src/app.ts\nplease');
  const { tmux, paneId } = await paneIn(t, dir);
  const first = await waitFor('the first turn', async () => {
    const text = await tmux.capture(paneId);
    return /■ done/.test(text) ? screenLines(text) : undefined;
  });
  const prompt = first.indexOf('› WRITE src/app.ts');
  t.ok(prompt > 0, 'the initial prompt is shown, marked as the input');
  t.equal(first[prompt + 1], '  please', 'all of it');
  t.ok(prompt < first.findIndex((line) => line.startsWith('● session')), 'before the session it started');
  t.match(first.join('\n'), /← edited/, 'the tool result as text');

  await tmux.sendLiteral(paneId, 'typed by hand');
  await tmux.sendKey(paneId, 'Enter');
  const second = await waitFor('the typed turn', async () => {
    const text = await tmux.capture(paneId);
    return /■ done \(2 turns/.test(text) ? screenLines(text) : undefined;
  });
  t.same(
    second.filter((line) => line.includes('typed by hand') && !line.includes('ack:')),
    ['› typed by hand'],
    'the typed line appears once, as the input',
  );
  t.ok(second.includes('ack: typed by hand'), 'the agent answered it');
  t.equal(
    second.filter((line) => line.startsWith('● session abcdefab-0000-4000-8000-0000000000a1')).length,
    1,
    'two turns, one session line',
  );

  // The log records both inputs, each before the agent's answer to it.
  const log = readFileSync(join(dir, 'output.log'), 'utf8').split('\n').filter(Boolean);
  const inputs = log.map((line) => JSON.parse(line)).filter((message) => message.type === 'fleet_input');
  t.match(inputs, [
    { source: 'prompt', text: 'WRITE src/app.ts\nplease' },
    { source: 'pane', text: 'typed by hand' },
  ]);
  const typedAt = log.findIndex((line) => line.includes('"source":"pane"'));
  t.ok(
    typedAt > log.findIndex((line) => line.includes('"type":"result"')),
    'after the first result, before the second turn',
  );

  const host = hostPids(dir)!;
  await tmux.killWindow(paneId);
  await waitFor('host and agent gone', () => !pidAlive(host.hostPid) && !groupAlive(host.agentPid), 5000);
});

t.test('a worker started again shows the end of its earlier transcript, then the new run', async (t) => {
  const dir = fakeAgentDir(t, 'abcdefab-0000-4000-8000-0000000000a2', 'carry on');
  const earlier = readFileSync(join(REPO_ROOT, 'test/fixtures/stream-json/turn-success.ndjson'), 'utf8');
  writeFileSync(
    join(dir, 'output.log'),
    `{"type":"fleet_input","source":"prompt","text":"report your status"}\n${earlier}`,
  );
  const { tmux, paneId } = await paneIn(t, dir);
  const screen = await waitFor('the new turn', async () => {
    const text = await tmux.capture(paneId);
    return /ack: carry on/.test(text) && /■ done/.test(text) ? screenLines(text) : undefined;
  });
  const header = screen.findIndex((line) => line.startsWith("── earlier in this worker's log"));
  const now = screen.indexOf('── this run ──');
  t.ok(header > 0 && now > header, 'the earlier part is marked off');
  t.same(screen.slice(header + 1, now), [
    '› report your status',
    '● session a5fb4949-d729-40ad-9771-c25b7d4625cb · model claude-sonnet-5-5 · 5 tools',
    'Hello from the mock. I will report my status.',
    '→ mcp__fleet__report_status {"status":"done","note":"from mock model"}',
    '  ← ack done',
    'All done (mock).',
    '■ done (2 turns · $0.0008)',
  ]);
  t.ok(screen.indexOf('› carry on') > now, "then this run's prompt");
});

t.test('the pane: a refused tool call reads as a refusal, and the turn ends saying so', async (t) => {
  const dir = fakeAgentDir(t, 'abcdefab-0000-4000-8000-0000000000a3', 'DENY Bash {"command":"touch notes.txt"}');
  const { tmux, paneId } = await paneIn(t, dir);
  const screen = await waitFor('the refused turn', async () => {
    const text = await tmux.capture(paneId);
    return /■ done/.test(text) ? screenLines(text) : undefined;
  });
  const call = screen.indexOf('→ Bash {"command":"touch notes.txt"}');
  t.ok(call > 0, 'the call');
  t.equal(
    screen[call + 1],
    "✗ refused Bash: Claude requested permissions to use Bash, but you haven't granted it yet.",
    'then its refusal, in place of its result',
  );
  t.notOk(
    screen.some((line) => line.includes('← error')),
    'not shown as a tool error',
  );
  t.match(
    screen.find((line) => line.startsWith('■ done')),
    /^■ done ✗ 1 refused \(1 turns/,
  );
});

/**
 * The usage-limit detector over every line the real Claude Code wrote when the scripted model API refused
 * its requests (test/fixtures/stream-json/usage-limit-*.ndjson, captured by capture-usage-limits.ts):
 * exactly the lines that report a limit fire, with the kind, window and reset they report; retries
 * (system/api_retry), warnings and allowed events never do. Then the other fixtures (ordinary turns,
 * tool calls, failures, garbage) and hand-made hostile lines: nothing fires that should not, nothing throws,
 * messages stay bounded. The fake agent's LIMIT directive (a real child process) fires as the real CLI does.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { FAKE_AGENT } from '../../test/kit/index.js';
import { detectUsageLimit, type UsageLimit } from './usage-limit.js';

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/stream-json/', import.meta.url));
const runs = JSON.parse(readFileSync(join(FIXTURES, 'usage-limit-runs.json'), 'utf8')) as { capturedAt: string };
/** The detector's clock for the fixtures: when they were captured (their resets are hours or days after). */
const CAPTURED = Date.parse(runs.capturedAt);

type Line = Record<string, any>;
const linesOf = (name: string): Line[] =>
  readFileSync(join(FIXTURES, name), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line));

/** A short name for a line, for the assertions' messages and the expected lists. */
function kindOf(line: Line): string {
  if (line.type === 'system') return `system/${line.subtype}`;
  if (line.type === 'assistant') return line.is_api_error_message ? 'assistant(api error)' : 'assistant';
  if (line.type === 'result') return line.is_error ? 'result(error)' : 'result';
  if (line.type === 'rate_limit_event') return `rate_limit_event(${line.rate_limit_info?.status})`;
  return String(line.type);
}

/** The reset of the fixture's rejected rate_limit_event, in ms (what the CLI said, seconds → ms). */
const rejectedReset = (lines: Line[]) => {
  const event = lines.find((line) => line.type === 'rate_limit_event' && line.rate_limit_info.status === 'rejected');
  return event?.rate_limit_info.resetsAt === undefined ? null : event.rate_limit_info.resetsAt * 1000;
};

interface Fired {
  line: string;
  limit: Omit<UsageLimit, 'message'>;
  /** A part of the message. */
  says: string | RegExp;
}

/** Every fixture with what must fire, in order; every other line of it must give null. */
const expected: Record<string, (lines: Line[]) => Fired[]> = {
  'usage-limit-rate-retried.ndjson': () => [],
  'usage-limit-warning.ndjson': () => [],
  'usage-limit-rate-exhausted.ndjson': () => {
    const limit = { kind: 'rate_limit', window: 'unknown', resetsAt: null } as const;
    return [
      { line: 'assistant(api error)', limit, says: 'API Error: Request rejected (429)' },
      { line: 'result(error)', limit, says: 'per-minute rate limit' },
    ];
  },
  'usage-limit-five-hour.ndjson': (lines) => [
    {
      line: 'rate_limit_event(rejected)',
      limit: { kind: 'usage_limit', window: 'five_hour', resetsAt: rejectedReset(lines) },
      says: 'rejected (five_hour)',
    },
    {
      line: 'assistant(api error)',
      limit: { kind: 'usage_limit', window: 'five_hour', resetsAt: rejectedReset(lines) },
      says: "You've hit your 5-hour limit",
    },
    {
      line: 'result(error)',
      limit: { kind: 'usage_limit', window: 'five_hour', resetsAt: null },
      says: "You've hit your 5-hour limit",
    },
  ],
  'usage-limit-weekly.ndjson': (lines) => [
    {
      line: 'rate_limit_event(rejected)',
      limit: { kind: 'usage_limit', window: 'weekly', resetsAt: rejectedReset(lines) },
      says: 'rejected (seven_day)',
    },
    {
      line: 'assistant(api error)',
      limit: { kind: 'usage_limit', window: 'weekly', resetsAt: rejectedReset(lines) },
      says: "You've hit your weekly limit",
    },
    {
      line: 'result(error)',
      limit: { kind: 'usage_limit', window: 'weekly', resetsAt: null },
      says: "You've hit your weekly limit",
    },
  ],
  'usage-limit-no-reset.ndjson': () => {
    const limit = { kind: 'usage_limit', window: 'five_hour', resetsAt: null } as const;
    return [
      { line: 'rate_limit_event(rejected)', limit, says: 'no reset time' },
      { line: 'assistant(api error)', limit, says: "You've hit your 5-hour limit" },
      { line: 'result(error)', limit, says: "You've hit your 5-hour limit" },
    ];
  },
  'usage-limit-server-throttle.ndjson': (lines) => [
    {
      line: 'rate_limit_event(rejected)',
      limit: { kind: 'rate_limit', window: 'unknown', resetsAt: rejectedReset(lines) },
      says: 'rate_limit_event: rejected, resets',
    },
    {
      line: 'assistant(api error)',
      limit: { kind: 'rate_limit', window: 'unknown', resetsAt: null },
      says: 'not your usage limit',
    },
    {
      line: 'result(error)',
      limit: { kind: 'rate_limit', window: 'unknown', resetsAt: null },
      says: 'not your usage limit',
    },
  ],
  'usage-limit-overloaded.ndjson': () => {
    const limit = { kind: 'overloaded', window: 'unknown', resetsAt: null } as const;
    return [
      { line: 'assistant(api error)', limit, says: 'Repeated 529 Overloaded errors' },
      { line: 'result(error)', limit, says: 'Repeated 529 Overloaded errors' },
    ];
  },
};

t.test('every captured usage-limit fixture: exactly the lines that report a limit fire', async (t) => {
  const files = readdirSync(FIXTURES).filter((name) => /^usage-limit-.*\.ndjson$/.test(name));
  t.same(
    files.sort(),
    Object.keys(expected).sort(),
    'each fixture has its expectations (and each expectation a fixture)',
  );
  for (const file of files) {
    const lines = linesOf(file);
    const fired = lines.flatMap((line, index) => {
      const limit = detectUsageLimit(line, CAPTURED);
      return limit ? [{ index, line: kindOf(line), limit }] : [];
    });
    const want = expected[file]!(lines);
    t.same(
      fired.map((entry) => entry.line),
      want.map((entry) => entry.line),
      `${file}: the lines that fire`,
    );
    for (const [at, entry] of fired.entries()) {
      const { message, ...limit } = entry.limit;
      t.same(limit, want[at]?.limit, `${file}: line ${entry.index + 1} (${entry.line})`);
      t.match(message, want[at]?.says ?? /^$/, `${file}: line ${entry.index + 1} says what the CLI said`);
      t.ok(message.length <= 500, 'message bounded');
    }
    const retries = lines.filter((line) => line.type === 'system' && line.subtype === 'api_retry');
    for (const line of retries) t.equal(detectUsageLimit(line, CAPTURED), null, `${file}: api_retry is transient`);
    for (const line of lines.filter(
      (line) => line.type === 'rate_limit_event' && line.rate_limit_info.status !== 'rejected',
    ))
      t.equal(detectUsageLimit(line, CAPTURED), null, `${file}: a ${line.rate_limit_info.status} event parks nothing`);
  }
});

t.test('the fixtures show the transient lines before the final ones', async (t) => {
  const fiveHour = linesOf('usage-limit-five-hour.ndjson').map(kindOf);
  t.ok(fiveHour.indexOf('system/api_retry') < fiveHour.indexOf('rate_limit_event(rejected)'), 'retries come first');
  const retried = linesOf('usage-limit-rate-retried.ndjson').map(kindOf);
  t.same(retried.filter((kind) => kind === 'system/api_retry').length, 2, 'two retries, then a reply');
  t.ok(retried.includes('result'), 'the turn succeeds');
});

t.test('other fixtures (ordinary turns, tool calls, failures, garbage): nothing fires', async (t) => {
  for (const file of ['turn-success.ndjson', 'tool-calls.ndjson', 'failures.ndjson', 'garbage.ndjson']) {
    const text = readFileSync(join(FIXTURES, file), 'utf8');
    for (const raw of text.split('\n')) {
      let line: unknown = raw;
      try {
        line = JSON.parse(raw);
      } catch {
        // garbage stays a string: the detector gets it as is
      }
      t.equal(detectUsageLimit(line), null, `${file}: ${raw.slice(0, 60)}`);
    }
  }
});

const NOW = Date.parse('2026-11-29T12:00:00Z');

t.test('hand-made lines: the shapes, bounds and what is not believed', async (t) => {
  const inAnHour = NOW / 1000 + 3600;
  const event = (info: unknown) => ({ type: 'rate_limit_event', rate_limit_info: info, session_id: 's', uuid: 'u' });
  t.same(detectUsageLimit(event({ status: 'rejected', resetsAt: inAnHour, rateLimitType: 'seven_day_opus' }), NOW), {
    kind: 'usage_limit',
    window: 'weekly',
    resetsAt: inAnHour * 1000,
    message: `rate_limit_event: rejected (seven_day_opus), resets ${new Date(inAnHour * 1000).toISOString()}`,
  });
  t.equal(
    detectUsageLimit(event({ status: 'rejected', rateLimitType: 'overage', resetsAt: inAnHour }), NOW)?.window,
    'unknown',
    'a spend cap on usage credits: the window is unknown (a lead decides)',
  );
  t.equal(
    detectUsageLimit(event({ status: 'rejected', rateLimitType: 'five_hour', isUsingOverage: true }), NOW),
    null,
    'rejected but usage credits pay: nothing is blocked',
  );
  for (const status of ['allowed', 'allowed_warning', 'REJECTED', 1, null])
    t.equal(detectUsageLimit(event({ status, rateLimitType: 'five_hour' }), NOW), null, `status ${String(status)}`);
  t.equal(
    detectUsageLimit(event({ status: 'rejected', rateLimitType: 'five_hour', resetsAt: NOW / 1000 + 400 * 86400 }), NOW)
      ?.resetsAt,
    null,
    'a reset over 35 days away is not believed',
  );
  t.equal(
    detectUsageLimit(event({ status: 'rejected', rateLimitType: 'five_hour', resetsAt: NOW + 60_000 }), NOW)?.resetsAt,
    NOW + 60_000,
    'a reset in milliseconds is taken as such',
  );
  for (const resetsAt of [-5, 0, Number.NaN, '1795986694', Number.POSITIVE_INFINITY, {}])
    t.equal(
      detectUsageLimit(event({ status: 'rejected', rateLimitType: 'five_hour', resetsAt }), NOW)?.resetsAt,
      null,
      `reset ${JSON.stringify(resetsAt)}: none`,
    );

  // The model cannot make a limit: only the CLI's own error message (is_api_error_message) or error result.
  const said = { type: 'assistant', message: { content: [{ type: 'text', text: "You've hit your 5-hour limit" }] } };
  t.equal(detectUsageLimit({ ...said, error: 'rate_limit', api_error: 'usage_limit_reached' }, NOW), null);
  t.equal(
    detectUsageLimit({ type: 'result', is_error: false, result: 'Claude AI usage limit reached|1795986694' }, NOW),
    null,
    'a successful result that says it is not one',
  );
  t.same(
    detectUsageLimit({ type: 'result', is_error: true, result: `Claude AI usage limit reached|${inAnHour}` }, NOW),
    {
      kind: 'usage_limit',
      window: 'unknown',
      resetsAt: inAnHour * 1000,
      message: `Claude AI usage limit reached|${inAnHour}`,
    },
    'the older CLIs’ "usage limit reached|<epoch>" result',
  );
  t.same(
    detectUsageLimit(
      {
        type: 'assistant',
        is_api_error_message: true,
        error: 'rate_limit',
        api_error_status: 429,
        api_error: 'model_requires_usage_credits',
        message: { content: [{ type: 'text', text: 'Opus requires usage credits.' }] },
      },
      NOW,
    ),
    { kind: 'usage_limit', window: 'unknown', resetsAt: null, message: 'Opus requires usage credits.' },
    'another typed refusal on a 429: a quota matter, window unknown',
  );
  const long = 'x'.repeat(100_000);
  const huge = detectUsageLimit(
    { type: 'result', is_error: true, api_error_status: 429, result: `API Error: 429 ${long}` },
    NOW,
  );
  t.equal(huge?.kind, 'rate_limit');
  t.equal(huge?.message.length, 500, 'the message is trimmed to 500 characters');
  t.same(
    detectUsageLimit({ type: 'result', is_error: true, api_error_status: 500, result: 'API Error: 500' }, NOW),
    null,
    'a 500 is not a limit',
  );
  t.same(
    detectUsageLimit({ type: 'system', subtype: 'api_retry', error_status: 429, error: 'rate_limit', attempt: 1 }, NOW),
    null,
    'api_retry: transient',
  );
});

t.test('garbage and hostile values: null, never a throw', async (t) => {
  const hostile: unknown[] = [
    undefined,
    null,
    42,
    'rate_limit_event',
    [],
    [{ type: 'result', is_error: true, api_error_status: 429 }],
    { type: 'rate_limit_event' },
    { type: 'rate_limit_event', rate_limit_info: 'rejected' },
    { type: 'rate_limit_event', rate_limit_info: [] },
    { type: 'assistant', is_api_error_message: true },
    { type: 'assistant', is_api_error_message: true, message: { content: 7 } },
    { type: 'assistant', is_api_error_message: 'true', error: 'rate_limit' },
    { type: 'result', is_error: 'yes', api_error_status: 429 },
    { type: 'result', is_error: true, result: { text: 'usage limit reached|1795986694' } },
    { type: { nested: true } },
    Object.create(null),
    new Proxy(
      {},
      {
        get() {
          throw new Error('hostile getter');
        },
      },
    ),
    {
      type: 'assistant',
      is_api_error_message: true,
      get error() {
        throw new Error('hostile getter');
      },
    },
  ];
  for (const value of hostile) {
    let limit: UsageLimit | null = null;
    t.doesNotThrow(() => (limit = detectUsageLimit(value, NOW)));
    t.equal(limit, null, `null for ${typeof value}`);
  }
  const rateLimitedNoText = detectUsageLimit(
    { type: 'assistant', is_api_error_message: true, error: 'rate_limit', message: { content: [{ type: 'text' }] } },
    NOW,
  );
  t.same(rateLimitedNoText, { kind: 'rate_limit', window: 'unknown', resetsAt: null, message: '' }, 'no text: empty');
  const manyBlocks = {
    type: 'assistant',
    is_api_error_message: true,
    error: 'overloaded',
    message: { content: Array.from({ length: 10_000 }, () => ({ type: 'text', text: 'y'.repeat(1000) })) },
  };
  t.equal(detectUsageLimit(manyBlocks, NOW)?.message.length, 500, 'many blocks: bounded');
});

/** Runs the fake agent over these prompts (one turn each); its stdout lines and exit code. */
function fakeAgent(prompts: string[]): Promise<{ lines: Line[]; code: number | null }> {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-usage-limit-'));
  const child = spawn(process.execPath, [FAKE_AGENT, '--session-id', '00000000-0000-4000-8000-000000000013'], {
    cwd: dir,
    env: { ...process.env, FAKE_AGENT_STATE_DIR: dir },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  for (const prompt of prompts)
    child.stdin.write(JSON.stringify({ type: 'user', message: { role: 'user', content: prompt } }) + '\n');
  child.stdin.end();
  return new Promise((resolveRun) =>
    child.on('close', (code) => {
      rmSync(dir, { recursive: true, force: true });
      resolveRun({ lines: linesIn(stdout), code });
    }),
  );
}
const linesIn = (text: string): Line[] =>
  text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line));

t.test('the fake agent LIMIT turns fire as the real CLI lines do', async (t) => {
  const started = Date.now();
  const { lines, code } = await fakeAgent(['LIMIT five_hour 30', 'hello', 'LIMIT weekly 200000', 'LIMIT rate 10']);
  t.equal(code, 1, 'stdin closed after an error result: exit 1, as the CLI');
  const turns: Line[][] = [];
  for (const line of lines) {
    if (line.type === 'system' && line.subtype === 'init') turns.push([]);
    turns.at(-1)!.push(line);
  }
  t.equal(turns.length, 4, 'the process stayed up for every turn');
  const fired = (turn: Line[]) =>
    turn.flatMap((line) => {
      const limit = detectUsageLimit(line);
      return limit ? [{ line: kindOf(line), limit }] : [];
    });
  const near = (at: number | null | undefined, seconds: number) =>
    typeof at === 'number' && Math.abs(at - (started + seconds * 1000)) < 5_000;

  const five = fired(turns[0]!);
  t.same(
    five.map((entry) => entry.line),
    ['rate_limit_event(rejected)', 'assistant(api error)', 'result(error)'],
    'five_hour: the lines of the real fixture fire',
  );
  t.ok(five.every((entry) => entry.limit.kind === 'usage_limit' && entry.limit.window === 'five_hour'));
  t.ok(near(five[0]!.limit.resetsAt, 30) && near(five[1]!.limit.resetsAt, 30), 'reset: now + 30 s');
  t.match(five[2]!.limit.message, /^You've hit your 5-hour limit · resets \d+(:\d\d)?(am|pm) \(UTC\)$/);
  t.same(fired(turns[1]!), [], 'the next turn is an ordinary one');

  const weekly = fired(turns[2]!);
  t.same(
    weekly.map((entry) => [entry.limit.kind, entry.limit.window]),
    [
      ['usage_limit', 'weekly'],
      ['usage_limit', 'weekly'],
      ['usage_limit', 'weekly'],
    ],
  );
  t.ok(near(weekly[0]!.limit.resetsAt, 200_000), 'reset: now + 200000 s');
  t.match(weekly[2]!.limit.message, /^You've hit your weekly limit · resets [A-Z][a-z]{2} \d+, /);

  const rate = fired(turns[3]!);
  t.same(
    rate.map((entry) => [entry.line, entry.limit.kind]),
    [
      ['rate_limit_event(rejected)', 'rate_limit'],
      ['assistant(api error)', 'rate_limit'],
      ['result(error)', 'rate_limit'],
    ],
    'rate: the api_retry lines before do not fire',
  );
  t.equal(turns[3]!.filter((line) => line.subtype === 'api_retry').length, 2);
  t.ok(near(rate[0]!.limit.resetsAt, 10), 'reset: now + 10 s');
});

/** Bad input to every checkpoints route and tool: a 400 with a code that names the field, never a 500. */
import t from 'tap';
import { type Agent, as, callTool, registerTeam, startCoordination, toolText } from '../../test/kit/index.js';

type Row = [method: string, path: string, body: unknown, error: string | RegExp];

const long = (n: number) => 'x'.repeat(n);
const ok = { goal: 'g', now: 'n' };
const ID_ERROR = 'must be a checkpoint id (a positive whole number)';

t.test('bad inputs to every checkpoints route: a 400 whose error names the field', async (t) => {
  const fleet = await startCoordination(t, { plugins: { auth: true, checkpoints: true } });
  const alpha = await registerTeam(fleet, 'alpha', ['ann']);
  const [ann] = alpha.workers as [Agent];
  const real = (await as(fleet, ann, 'POST', '/checkpoints', ok)).body;

  const rows: Row[] = [
    ['POST', '/checkpoints', {}, 'goal: is required'],
    ['POST', '/checkpoints', { goal: 'g' }, 'now: is required'],
    ['POST', '/checkpoints', { ...ok, goal: '' }, 'goal: is required'],
    ['POST', '/checkpoints', { ...ok, goal: long(1001) }, 'goal: must be at most 1000 characters'],
    ['POST', '/checkpoints', { ...ok, now: long(1001) }, 'now: must be at most 1000 characters'],
    ['POST', '/checkpoints', { ...ok, now: 7 }, 'now: must be a string'],
    ['POST', '/checkpoints', { ...ok, test: long(501) }, 'test: must be at most 500 characters'],
    ['POST', '/checkpoints', { ...ok, test: null }, 'test: must be a string'],
    ['POST', '/checkpoints', { ...ok, toHandle: 'a b' }, 'toHandle: may contain only letters, digits, _ and -'],
    ['POST', '/checkpoints', { ...ok, fromHandle: long(51) }, 'fromHandle: must be 1–50 characters'],
    ['POST', '/checkpoints', { ...ok, doneThisSession: 'lexer' }, /^doneThisSession: must be a list of/],
    [
      'POST',
      '/checkpoints',
      { ...ok, doneThisSession: ['lexer'] },
      'doneThisSession.0: must be an object { task, files }',
    ],
    ['POST', '/checkpoints', { ...ok, doneThisSession: [{}] }, 'doneThisSession.0.task: is required'],
    [
      'POST',
      '/checkpoints',
      { ...ok, doneThisSession: [{ task: 'a', file: [] }] },
      'doneThisSession.0.file: is not a known field',
    ],
    [
      'POST',
      '/checkpoints',
      { ...ok, doneThisSession: [{ task: 'a', files: Array(51).fill('f') }] },
      'doneThisSession.0.files: must list at most 50 files',
    ],
    [
      'POST',
      '/checkpoints',
      { ...ok, doneThisSession: Array(51).fill({ task: 'a' }) },
      'doneThisSession: must list at most 50 items',
    ],
    ['POST', '/checkpoints', { ...ok, blockers: Array(21).fill('b') }, 'blockers: must list at most 20 blockers'],
    ['POST', '/checkpoints', { ...ok, questions: [long(501)] }, 'questions.0: must be at most 500 characters'],
    ['POST', '/checkpoints', { ...ok, worked: 'yes' }, 'worked: must be a list of strings'],
    ['POST', '/checkpoints', { ...ok, failed: [1] }, 'failed.0: must be a string'],
    ['POST', '/checkpoints', { ...ok, next: Array(21).fill('n') }, 'next: must list at most 20 steps'],
    [
      'POST',
      '/checkpoints',
      { ...ok, filesCreated: Array(101).fill('f') },
      'filesCreated: must list at most 100 files',
    ],
    ['POST', '/checkpoints', { ...ok, filesModified: [{}] }, 'filesModified.0: must be a string'],
    ['POST', '/checkpoints', { ...ok, files: { created: [] } }, /^files: is not a known field/],
    ['POST', '/checkpoints', { ...ok, goal: 'a\u0000b' }, 'goal: must not contain NUL characters (\\u0000)'],
    ['POST', '/checkpoints', 'not json', /JSON/i],
    ['GET', '/checkpoints/abc', undefined, `id: ${ID_ERROR}`],
    ['GET', '/checkpoints/0', undefined, `id: ${ID_ERROR}`],
    ['GET', '/checkpoints/-3', undefined, `id: ${ID_ERROR}`],
    ['GET', '/checkpoints/1.5', undefined, `id: ${ID_ERROR}`],
    ['GET', '/checkpoints/99999999999', undefined, `id: ${ID_ERROR}`],
    ['GET', '/checkpoints/latest/a%20b', undefined, 'handle: may contain only letters, digits, _ and -'],
    ['GET', '/checkpoints/latest/ann?status=done', undefined, 'status: must be one of pending, accepted, rejected'],
    ['GET', '/checkpoints/list/ann?status=done', undefined, 'status: must be one of pending, accepted, rejected'],
    ['GET', '/checkpoints/list/ann?limit=0', undefined, 'limit: must be at least 1'],
    ['GET', '/checkpoints/list/ann?limit=101', undefined, 'limit: must be at most 100'],
    ['GET', '/checkpoints/list/ann?limit=many', undefined, 'limit: must be a whole number'],
    ['GET', '/checkpoints/list/ann?offset=-1', undefined, 'offset: must be at least 0'],
    ['GET', '/checkpoints/list/ann?sort=id', undefined, /^sort: is not a known field/],
    ['POST', '/checkpoints/abc/accept', {}, `id: ${ID_ERROR}`],
    ['POST', `/checkpoints/${real.id}/accept`, { note: long(2001) }, 'note: must be at most 2000 characters'],
    ['POST', `/checkpoints/${real.id}/accept`, { note: 3 }, 'note: must be a string'],
    ['POST', `/checkpoints/${real.id}/reject`, { outcome: 'x' }, /^outcome: is not a known field/],
    ['POST', '/checkpoints/0/reject', {}, `id: ${ID_ERROR}`],
  ];

  for (const [method, path, body, error] of rows) {
    const response = await as(fleet, ann, method, path, body);
    const label = `${method} ${path} ${body === undefined ? '' : JSON.stringify(body).slice(0, 70)}`;
    t.equal(response.status, 400, `${label}: 400`);
    t.match(response.body?.code, /^FLEET_INVALID_(INPUT|JSON)$/, `${label}: a code`);
    if (typeof error === 'string') t.equal(response.body?.error, error, `${label}: ${error}`);
    else t.match(response.body?.error, error, `${label}: ${error}`);
  }
  const stored = (await as(fleet, ann, 'GET', '/checkpoints/list/ann')).body;
  t.same(
    stored.map((c: { id: number; status: string }) => [c.id, c.status]),
    [[real.id, 'pending']],
    'no bad request stored or changed a checkpoint',
  );
});

t.test('bad tool arguments: an isError result naming the argument', async (t) => {
  const fleet = await startCoordination(t, { plugins: { auth: true, checkpoints: true } });
  const alpha = await registerTeam(fleet, 'alpha', ['ann']);
  const [ann] = alpha.workers as [Agent];
  const rows: [tool: string, args: Record<string, unknown>, text: string | RegExp][] = [
    ['checkpoint_create', {}, 'goal: is required'],
    ['checkpoint_create', { ...ok, to_handle: '' }, 'to_handle: must be 1–50 characters'],
    ['checkpoint_create', { ...ok, done_this_session: [{ files: [] }] }, 'done_this_session.0.task: is required'],
    ['checkpoint_create', { ...ok, files_created: 'a.ts' }, 'files_created: must be a list of file paths'],
    ['checkpoint_create', { ...ok, fromHandle: 'ann' }, /^fromHandle: is not a known field/],
    ['checkpoint_create', { ...ok, toHandle: 'ann' }, /^toHandle: is not a known field/],
    ['checkpoint_load', { checkpoint_id: 'x' }, `checkpoint_id: ${ID_ERROR}`],
    ['checkpoint_load', { latest: 'maybe' }, 'latest: must be true or false'],
    ['checkpoint_list', { status: 'open' }, 'status: must be one of pending, accepted, rejected'],
    ['checkpoint_list', { limit: 500 }, 'limit: must be at most 100'],
    ['checkpoint_accept', {}, 'checkpoint_id: is required'],
    ['checkpoint_accept', { checkpoint_id: 0 }, `checkpoint_id: ${ID_ERROR}`],
    ['checkpoint_reject', { checkpoint_id: 1, note: long(2001) }, 'note: must be at most 2000 characters'],
  ];
  for (const [tool, args, text] of rows) {
    const result = await callTool(fleet, ann, tool, args);
    const label = `${tool} ${JSON.stringify(args).slice(0, 60)}`;
    t.equal(result.status, 200, `${label}: answered`);
    t.ok(result.isError, `${label}: isError`);
    const expected = typeof text === 'string' ? `FLEET_INVALID_INPUT: ${text}` : text;
    if (typeof expected === 'string') t.equal(toolText(result), expected, label);
    else t.match(toolText(result).replace(/^FLEET_INVALID_INPUT: /, ''), expected, label);
  }
});

/**
 * Create, get, latest and list over real HTTP and the tools, in the seed's shapes: CheckpointInfo
 * with its structured checkpoint, the bare list, checkpoint_list's { count, checkpoints }; the
 * status filter of lists (ignored by the seed) applied; fromHandle from the token unless a lead.
 */
import t from 'tap';
import { type Agent, as, callTool, registerTeam, startCoordination, toolJson } from '../../test/kit/index.js';
import type { TestLike } from '../../test/kit/index.js';

const INFO_KEYS = [
  'id',
  'fromHandle',
  'toHandle',
  'status',
  'outcome',
  'createdAt',
  'acceptedAt',
  'checkpoint',
  'createdBy',
  'decidedBy',
  'decidedAt',
  'deliveredAt',
];

const full = {
  goal: 'Ship the parser',
  now: 'Writing the error recovery',
  test: 'npm test -- parser',
  doneThisSession: [{ task: 'lexer', files: ['src/lexer.ts', 'src/token.ts'] }, { task: 'grammar notes' }],
  blockers: ['CI is red on main'],
  questions: ['Keep the old AST?'],
  worked: ['table-driven tests'],
  failed: ['a recursive-descent rewrite'],
  next: ['recovery', 'benchmarks'],
  filesCreated: ['src/parser.ts'],
  filesModified: ['src/index.ts'],
};

async function fleetWithTeam(t: TestLike) {
  const fleet = await startCoordination(t, { plugins: { auth: true, checkpoints: true } });
  const alpha = await registerTeam(fleet, 'alpha', ['ann', 'bob', 'cy']);
  const [ann, bob, cy] = alpha.workers as [Agent, Agent, Agent];
  return { fleet, lead: alpha.lead, ann, bob, cy };
}

t.test('create: the seed shape, every structure key present, times in ms, 200', async (t) => {
  const { fleet, ann } = await fleetWithTeam(t);
  const before = Date.now();
  const created = await as(fleet, ann, 'POST', '/checkpoints', { toHandle: 'bob', ...full });
  t.equal(created.status, 200);
  t.same(Object.keys(created.body), INFO_KEYS);
  t.match(created.body, {
    id: Number,
    fromHandle: 'ann',
    toHandle: 'bob',
    status: 'pending',
    outcome: null,
    acceptedAt: null,
    createdBy: 'ann',
    decidedBy: null,
    decidedAt: null,
    deliveredAt: null,
  });
  t.ok(Number.isInteger(created.body.id) && created.body.id > 0, 'a positive whole number id');
  t.ok(created.body.createdAt >= before && created.body.createdAt <= Date.now(), 'createdAt in ms');
  t.same(created.body.checkpoint, {
    goal: full.goal,
    now: full.now,
    test: full.test,
    doneThisSession: [
      { task: 'lexer', files: ['src/lexer.ts', 'src/token.ts'] },
      { task: 'grammar notes', files: [] },
    ],
    blockers: full.blockers,
    questions: full.questions,
    worked: full.worked,
    failed: full.failed,
    next: full.next,
    files: { created: ['src/parser.ts'], modified: ['src/index.ts'] },
  });

  const minimal = await as(fleet, ann, 'POST', '/checkpoints', { goal: 'g', now: 'n' });
  t.equal(minimal.status, 200);
  t.match(minimal.body, { fromHandle: 'ann', toHandle: 'ann' }, 'toHandle defaults to the author');
  t.same(minimal.body.checkpoint, {
    goal: 'g',
    now: 'n',
    test: null,
    doneThisSession: [],
    blockers: [],
    questions: [],
    worked: [],
    failed: [],
    next: [],
    files: { created: [], modified: [] },
  });
  t.ok(minimal.body.id > created.body.id, 'ids increase');
  t.same((await as(fleet, ann, 'GET', `/checkpoints/${created.body.id}`)).body, created.body, 'get answers it');
});

t.test('fromHandle is the caller; a lead may write for an agent of its team that exists', async (t) => {
  const { fleet, lead, ann } = await fleetWithTeam(t);
  const forged = await as(fleet, ann, 'POST', '/checkpoints', {
    fromHandle: 'bob',
    toHandle: 'cy',
    goal: 'g',
    now: 'n',
  });
  t.equal(forged.status, 403);
  t.match(forged.body, { code: 'FLEET_ACT_AS_DENIED', error: /^fromHandle: / });
  t.same((await as(fleet, lead, 'GET', '/checkpoints/list/bob')).body, [], 'nothing was stored');

  const own = await as(fleet, ann, 'POST', '/checkpoints', { fromHandle: 'ann', toHandle: 'bob', goal: 'g', now: 'n' });
  t.equal(own.status, 200, 'naming yourself is fine');

  const forBob = await as(fleet, lead, 'POST', '/checkpoints', {
    fromHandle: 'bob',
    toHandle: 'cy',
    goal: 'g',
    now: 'n',
  });
  t.equal(forBob.status, 200);
  t.match(forBob.body, { fromHandle: 'bob', toHandle: 'cy', createdBy: 'lead-alpha' }, 'who wrote it is kept');

  const ghost = await as(fleet, lead, 'POST', '/checkpoints', { fromHandle: 'ghost', goal: 'g', now: 'n' });
  t.equal(ghost.status, 404);
  t.match(ghost.body, { code: 'CHECKPOINTS_SENDER_NOT_FOUND', field: 'fromHandle' });

  const toLater = await as(fleet, ann, 'POST', '/checkpoints', { toHandle: 'not-spawned-yet', goal: 'g', now: 'n' });
  t.equal(toLater.status, 200, 'the recipient may be a worker spawned later under that handle');
});

t.test('latest: the newest addressed to the handle, any status or the one asked; yours or a lead’s', async (t) => {
  const { fleet, lead, ann, bob, cy } = await fleetWithTeam(t);
  const none = await as(fleet, bob, 'GET', '/checkpoints/latest/bob');
  t.equal(none.status, 404);
  t.match(none.body, { error: 'No checkpoint found for this handle', code: 'CHECKPOINTS_NONE_FOR_HANDLE' });

  const first = (await as(fleet, ann, 'POST', '/checkpoints', { toHandle: 'bob', goal: 'first', now: 'n' })).body;
  const second = (await as(fleet, cy, 'POST', '/checkpoints', { toHandle: 'bob', goal: 'second', now: 'n' })).body;
  await as(fleet, bob, 'POST', '/checkpoints', { toHandle: 'ann', goal: 'from bob', now: 'n' });
  t.equal((await as(fleet, bob, 'GET', '/checkpoints/latest/bob')).body.id, second.id, 'addressed to bob, newest');
  await as(fleet, bob, 'POST', `/checkpoints/${first.id}/accept`, {});
  t.equal(
    (await as(fleet, bob, 'GET', '/checkpoints/latest/bob?status=accepted')).body.id,
    first.id,
    'the newest accepted one',
  );
  t.equal((await as(fleet, lead, 'GET', '/checkpoints/latest/bob')).body.id, second.id, 'a lead reads any handle');

  const other = await as(fleet, ann, 'GET', '/checkpoints/latest/bob');
  t.equal(other.status, 403);
  t.match(other.body, { code: 'FLEET_ACT_AS_DENIED', error: /^handle: / });

  const loaded = toolJson(await callTool(fleet, bob, 'checkpoint_load', {}));
  t.equal(loaded.id, second.id, 'checkpoint_load without an id: the latest addressed to you');
  t.same(toolJson(await callTool(fleet, bob, 'checkpoint_load', { latest: true })).id, second.id);
  const byId = toolJson(await callTool(fleet, bob, 'checkpoint_load', { checkpoint_id: first.id }));
  t.same(byId, (await as(fleet, bob, 'GET', `/checkpoints/${first.id}`)).body, 'by id: as the route');
  const cyNone = await callTool(fleet, cy, 'checkpoint_load', {});
  t.ok(cyNone.isError);
  t.match(cyNone.content[0]!.text, /^CHECKPOINTS_NONE_FOR_HANDLE: /);
});

t.test('list: from or to the handle, newest first, the status filter applied, limit and offset', async (t) => {
  const { fleet, lead, ann, bob, cy } = await fleetWithTeam(t);
  const make = async (from: Agent, to: string, goal: string) =>
    (await as(fleet, from, 'POST', '/checkpoints', { toHandle: to, goal, now: 'n' })).body;
  const a = await make(ann, 'bob', 'a');
  const b = await make(bob, 'ann', 'b');
  const c = await make(cy, 'bob', 'c');
  const d = await make(ann, 'cy', 'd');
  await as(fleet, bob, 'POST', `/checkpoints/${a.id}/accept`, {});
  await as(fleet, ann, 'POST', `/checkpoints/${b.id}/reject`, { note: 'stale' });

  const ids = async (agent: Agent, query: string) =>
    ((await as(fleet, agent, 'GET', `/checkpoints/list/ann${query}`)).body as { id: number }[]).map((x) => x.id);
  t.same(await ids(ann, ''), [d.id, b.id, a.id], 'from or to ann, newest first; not c');
  t.same(await ids(ann, '?status=pending'), [d.id]);
  t.same(await ids(ann, '?status=accepted'), [a.id]);
  t.same(await ids(ann, '?status=rejected'), [b.id], 'a rejected one is rejected, not pending');
  t.same(await ids(ann, '?limit=2'), [d.id, b.id]);
  t.same(await ids(ann, '?limit=2&offset=2'), [a.id]);
  t.same(await ids(lead, ''), [d.id, b.id, a.id], 'a lead lists any handle');
  t.equal(c.toHandle, 'bob');

  const denied = await as(fleet, bob, 'GET', '/checkpoints/list/ann');
  t.equal(denied.status, 403);
  t.match(denied.body, { code: 'FLEET_ACT_AS_DENIED', error: /^handle: / });

  const tool = toolJson(await callTool(fleet, ann, 'checkpoint_list', { status: 'accepted' }));
  t.same(Object.keys(tool), ['count', 'checkpoints'], "the seed's { count, checkpoints }");
  t.equal(tool.count, 1);
  t.same(
    tool.checkpoints,
    (await as(fleet, ann, 'GET', '/checkpoints/list/ann?status=accepted')).body,
    'the same checkpoints as the route',
  );
  t.equal(toolJson(await callTool(fleet, ann, 'checkpoint_list', { limit: 1 })).count, 1);
});

t.test('get: its author, its recipient and a lead read it; a third teammate is 403; another team 404', async (t) => {
  const { fleet, lead, ann, bob, cy } = await fleetWithTeam(t);
  const beta = await registerTeam(fleet, 'beta', ['bo']);
  const created = (await as(fleet, ann, 'POST', '/checkpoints', { toHandle: 'bob', goal: 'Private goal', now: 'n' }))
    .body;
  for (const reader of [ann, bob, lead])
    t.equal((await as(fleet, reader, 'GET', `/checkpoints/${created.id}`)).body.id, created.id, reader.handle);

  const third = await as(fleet, cy, 'GET', `/checkpoints/${created.id}`);
  t.equal(third.status, 403);
  t.same(third.body, {
    error: 'Access denied: checkpoint belongs to ann -> bob',
    code: 'CHECKPOINTS_ACCESS_DENIED',
  });
  const viaTool = await callTool(fleet, cy, 'checkpoint_load', { checkpoint_id: created.id });
  t.ok(viaTool.isError);
  t.match(viaTool.content[0]!.text, /^CHECKPOINTS_ACCESS_DENIED: /);
  t.notMatch(viaTool.content[0]!.text, /Private goal/);

  for (const outsider of [beta.lead, beta.workers[0]!]) {
    const answer = await as(fleet, outsider, 'GET', `/checkpoints/${created.id}`);
    t.equal(answer.status, 404, `${outsider.handle}: 404`);
    t.match(answer.body, { error: 'Checkpoint not found', code: 'CHECKPOINTS_NOT_FOUND' });
    const listed = await as(fleet, outsider, 'GET', '/checkpoints/list/ann');
    t.notMatch(JSON.stringify(listed.body), /Private goal/, `${outsider.handle}: nothing of alpha listed`);
  }
  t.same((await as(fleet, beta.lead, 'GET', '/checkpoints/list/ann')).body, [], "beta's lead: beta has no ann");
  t.equal((await as(fleet, ann, 'GET', '/checkpoints/999999')).status, 404, 'an unknown id is 404');
});

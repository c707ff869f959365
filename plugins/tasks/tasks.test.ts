import t from 'tap';
import { type Agent, as, dmChatId, nextMillisecond, registerTeam, startCoordination } from '../../test/kit/index.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

t.test('POST /tasks: the seed task object, and the assignment DM with its metadata', async (t) => {
  const fleet = await startCoordination(t);
  const alpha = await registerTeam(fleet, 'alpha', ['ann', 'bob']);
  const [ann, bob] = alpha.workers as [Agent, Agent];

  const created = await as(fleet, alpha.lead, 'POST', '/tasks', {
    fromUid: alpha.lead.uid,
    toHandle: 'ann',
    teamName: 'alpha',
    subject: 'Write the parser',
    description: 'Tokens first.\nThen the AST.',
  });
  t.equal(created.status, 200);
  const task = created.body;
  t.same(
    Object.keys(task).sort(),
    [
      'blockedBy',
      'createdAt',
      'createdByHandle',
      'createdByUid',
      'description',
      'id',
      'ownerHandle',
      'ownerUid',
      'priority',
      'status',
      'subject',
      'teamName',
      'updatedAt',
    ],
    'exactly the seed fields, and priority (ours)',
  );
  t.match(task, {
    id: UUID,
    teamName: 'alpha',
    subject: 'Write the parser',
    description: 'Tokens first.\nThen the AST.',
    ownerHandle: 'ann',
    ownerUid: ann.uid,
    createdByHandle: 'lead-alpha',
    createdByUid: alpha.lead.uid,
    status: 'open',
    createdAt: ISO,
    updatedAt: ISO,
  });
  t.same(task.blockedBy, []);

  const chatId = dmChatId(alpha.lead.uid, ann.uid);
  const messages = await as(fleet, ann, 'GET', `/chats/${chatId}/messages`);
  t.equal(messages.status, 200, 'the assignee reads the DM with the seed chat id');
  t.equal(messages.body.length, 1);
  t.match(messages.body[0], {
    chatId,
    fromHandle: 'collab:lead-alpha',
    fromUid: alpha.lead.uid,
    text: '[TASK] Write the parser\n\nTokens first.\nThen the AST.',
  });
  t.same(messages.body[0].metadata, { taskId: task.id, type: 'task_assignment' });
  const chats = await as(fleet, ann, 'GET', `/users/${ann.uid}/chats`);
  t.match(
    chats.body.find((c: { id: string }) => c.id === chatId),
    { unread: 1 },
    'unread for the assignee',
  );

  const second = await as(fleet, alpha.lead, 'POST', '/tasks', { toHandle: 'ann', subject: 'No description' });
  t.equal(
    second.body.description,
    null,
    'the body fields fromUid and teamName are optional: the token says who and which team',
  );
  const again = await as(fleet, ann, 'GET', `/chats/${chatId}/messages`);
  t.equal(again.body.length, 2, 'the same DM is reused');
  t.equal(again.body[1].text, '[TASK] No description\n\n');

  const own = await as(fleet, bob, 'POST', '/tasks', { toHandle: 'bob', subject: 'Note to self' });
  t.equal(own.status, 200, 'a worker may create a task for itself');
  t.match(own.body, { createdByHandle: 'bob', ownerHandle: 'bob' });
  t.same((await as(fleet, bob, 'GET', `/users/${bob.uid}/chats`)).body, [], 'no DM with yourself');

  const unowned = await as(fleet, bob, 'POST', '/tasks', { subject: 'Anyone?' });
  t.match(unowned.body, { ownerHandle: null, ownerUid: null, status: 'open' }, 'without toHandle the task is unowned');

  const missing = await as(fleet, alpha.lead, 'POST', '/tasks', { toHandle: 'nobody', subject: 'For no one' });
  t.equal(missing.status, 404);
  t.same(missing.body, { error: 'Agent nobody not found', code: 'TASKS_AGENT_NOT_FOUND' }, 'the seed error');

  const forged = await as(fleet, bob, 'POST', '/tasks', { fromUid: ann.uid, toHandle: 'bob', subject: 'Forged' });
  t.equal(forged.status, 403, 'a worker may not create as another');
  t.match(forged.body.error, /^fromUid: /);
  const forAnn = await as(fleet, alpha.lead, 'POST', '/tasks', {
    fromUid: ann.uid,
    toHandle: 'bob',
    subject: 'From ann via lead',
  });
  t.equal(forAnn.status, 200, 'the lead may create in the name of a member');
  t.match(forAnn.body, { createdByUid: ann.uid, createdByHandle: 'ann' });
  const dm = await as(fleet, bob, 'GET', `/chats/${dmChatId(ann.uid, bob.uid)}/messages`);
  t.equal(dm.body[0].text, '[TASK] From ann via lead\n\n', 'and the DM comes from that member');

  const otherTeam = await as(fleet, alpha.lead, 'POST', '/tasks', { teamName: 'beta', subject: 'Elsewhere' });
  t.equal(otherTeam.status, 403);
  t.match(otherTeam.body.error, /^teamName: /);

  const got = await as(fleet, bob, 'GET', `/tasks/${task.id}`);
  t.equal(got.status, 200, 'any member of the team may read a task');
  t.same(got.body, task, 'GET returns what POST returned');
  const unknown = await as(fleet, bob, 'GET', '/tasks/00000000-0000-4000-8000-000000000000');
  t.equal(unknown.status, 404);
  t.same(unknown.body, { error: 'Task not found', code: 'TASKS_TASK_NOT_FOUND' });
});

t.test('PATCH /tasks/:id: owner, creator or lead; resolving needs resolved blockers (400 listing them)', async (t) => {
  const fleet = await startCoordination(t);
  const alpha = await registerTeam(fleet, 'alpha', ['ann', 'bob', 'cy']);
  const [ann, bob, cy] = alpha.workers as [Agent, Agent, Agent];
  const create = async (subject: string, extra: Record<string, unknown> = {}) =>
    (await as(fleet, alpha.lead, 'POST', '/tasks', { subject, ...extra })).body;

  const a = await create('Blocker A', { toHandle: 'ann' });
  const b = await create('Blocker B', { toHandle: 'bob' });
  const c = await create('Depends on A and B', { toHandle: 'cy', blockedBy: [a.id, b.id] });
  t.same(c.blockedBy, [a.id, b.id].sort(), 'blockedBy is stored');

  const wip = await as(fleet, cy, 'PATCH', `/tasks/${c.id}`, { status: 'in_progress' });
  t.equal(wip.status, 200, 'the owner may change the status');
  t.equal(wip.body.status, 'in_progress');
  t.ok(Date.parse(wip.body.updatedAt) >= Date.parse(c.updatedAt), 'updatedAt moves');

  const refused = await as(fleet, cy, 'PATCH', `/tasks/${c.id}`, { status: 'resolved' });
  t.equal(refused.status, 400);
  t.same(
    refused.body,
    {
      error: 'Cannot resolve task: blocked by unresolved tasks',
      code: 'TASKS_BLOCKED',
      blockedBy: [a.id, b.id].sort(),
    },
    'the seed error with the blockers',
  );
  t.equal((await as(fleet, cy, 'GET', `/tasks/${c.id}`)).body.status, 'in_progress', 'the status did not change');

  t.equal((await as(fleet, ann, 'PATCH', `/tasks/${a.id}`, { status: 'resolved' })).status, 200, 'A resolved');
  const stillB = await as(fleet, cy, 'PATCH', `/tasks/${c.id}`, { status: 'resolved' });
  t.same(stillB.body.blockedBy, [b.id], 'only the unresolved blocker is listed');

  const stranger = await as(fleet, ann, 'PATCH', `/tasks/${b.id}`, { status: 'resolved' });
  t.equal(stranger.status, 403, 'neither owner nor creator nor lead');
  t.equal((await as(fleet, alpha.lead, 'PATCH', `/tasks/${b.id}`, { status: 'resolved' })).status, 200, 'the lead may');
  const done = await as(fleet, cy, 'PATCH', `/tasks/${c.id}`, { status: 'resolved' });
  t.equal(done.status, 200, 'resolvable once every blocker is resolved');
  t.equal(done.body.status, 'resolved');

  const reopen = await as(fleet, cy, 'PATCH', `/tasks/${c.id}`, { status: 'open' });
  t.equal(reopen.body.status, 'open', 'any status may be set again');
  const mine = await as(fleet, bob, 'POST', '/tasks', { subject: 'Bob made this', toHandle: 'ann' });
  t.equal(
    (await as(fleet, bob, 'PATCH', `/tasks/${mine.body.id}`, { status: 'blocked' })).status,
    200,
    'its creator may change it',
  );

  const empty = await as(fleet, cy, 'PATCH', `/tasks/${c.id}`, {});
  t.equal(empty.status, 400, 'nothing to change');
  t.match(empty.body.error, /^status: /);
});

t.test('blockedBy via PATCH: replaced, checked, and a dependency cycle is rejected naming it', async (t) => {
  const fleet = await startCoordination(t);
  const alpha = await registerTeam(fleet, 'alpha', ['ann']);
  const create = async (subject: string, blockedBy?: string[]) =>
    (await as(fleet, alpha.lead, 'POST', '/tasks', { subject, blockedBy })).body;
  const a = await create('Task A');
  const b = await create('Task B', [a.id]);
  const c = await create('Task C', [b.id]);

  const cycle = await as(fleet, alpha.lead, 'PATCH', `/tasks/${a.id}`, { blockedBy: [c.id] });
  t.equal(cycle.status, 400, 'A blocked by C closes A ← C ← B ← A');
  t.match(cycle.body.error, /^blockedBy: dependency cycle /);
  for (const id of [a.id, b.id, c.id]) t.ok(cycle.body.error.includes(id), `the message names ${id.slice(0, 8)}`);
  t.same(cycle.body.cycle, [a.id, c.id, b.id, a.id], 'the cycle, from the task through its blockers back to it');
  t.same((await as(fleet, alpha.lead, 'GET', `/tasks/${a.id}`)).body.blockedBy, [], 'nothing was changed');

  const two = await as(fleet, alpha.lead, 'PATCH', `/tasks/${a.id}`, { blockedBy: [b.id] });
  t.equal(two.status, 400, 'a two-task cycle');
  t.same(two.body.cycle, [a.id, b.id, a.id]);
  const self = await as(fleet, alpha.lead, 'PATCH', `/tasks/${a.id}`, { blockedBy: [a.id] });
  t.equal(self.status, 400, 'a task blocking itself');
  t.same(self.body.cycle, [a.id, a.id]);

  const d = await create('Task D');
  const fine = await as(fleet, alpha.lead, 'PATCH', `/tasks/${c.id}`, { blockedBy: [b.id, d.id, d.id] });
  t.equal(fine.status, 200, 'a diamond-free addition is fine');
  t.same(fine.body.blockedBy, [b.id, d.id].sort(), 'replaced, de-duplicated');
  const cleared = await as(fleet, alpha.lead, 'PATCH', `/tasks/${c.id}`, { blockedBy: [] });
  t.same(cleared.body.blockedBy, [], 'an empty list clears them');
  const nowFine = await as(fleet, alpha.lead, 'PATCH', `/tasks/${a.id}`, { blockedBy: [c.id] });
  t.equal(nowFine.status, 200, 'with C no longer behind B, A may wait for C');

  const unknown = await as(fleet, alpha.lead, 'PATCH', `/tasks/${b.id}`, {
    blockedBy: ['00000000-0000-4000-8000-000000000000'],
  });
  t.equal(unknown.status, 404, 'a blocker that is not there is not found');
  t.match(unknown.body, { code: 'TASKS_UNKNOWN_BLOCKER', field: 'blockedBy' });
  t.match(unknown.body.error, /^blockedBy: task 00000000-0000-4000-8000-000000000000 not found/);
  const onCreate = await as(fleet, alpha.lead, 'POST', '/tasks', {
    subject: 'Bad blockers',
    blockedBy: ['00000000-0000-4000-8000-000000000000'],
  });
  t.equal(onCreate.status, 404, 'checked on create too');
  t.match(onCreate.body.error, /^blockedBy: /);

  const both = await as(fleet, alpha.lead, 'PATCH', `/tasks/${d.id}`, { blockedBy: [b.id], status: 'resolved' });
  t.equal(both.status, 400, 'blockers and status together: the new blocker applies to the resolve');
  t.same(both.body, {
    error: 'Cannot resolve task: blocked by unresolved tasks',
    code: 'TASKS_BLOCKED',
    blockedBy: [b.id],
  });
  const untouched = (await as(fleet, alpha.lead, 'GET', `/tasks/${d.id}`)).body;
  t.same(untouched.blockedBy, [], 'a refused PATCH changes nothing: not the blockers either');
  t.equal(untouched.status, 'open');
});

t.test(
  'GET /teams/:name/tasks: oldest first, filters status, owner, unassigned, ready; limit and offset',
  async (t) => {
    const fleet = await startCoordination(t);
    const alpha = await registerTeam(fleet, 'alpha', ['ann', 'bob']);
    const [ann] = alpha.workers as [Agent, Agent];
    const create = async (subject: string, extra: Record<string, unknown> = {}) => {
      await nextMillisecond();
      return (await as(fleet, alpha.lead, 'POST', '/tasks', { subject, ...extra })).body;
    };
    const t1 = await create('t1 ann open', { toHandle: 'ann' });
    const t2 = await create('t2 bob open', { toHandle: 'bob' });
    const t3 = await create('t3 unowned');
    await create('t4 unowned blocked by t1', { blockedBy: [t1.id] });
    await create('t5 ann blocked by t3', { toHandle: 'ann', blockedBy: [t3.id] });
    await as(fleet, alpha.lead, 'PATCH', `/tasks/${t2.id}`, { status: 'in_progress' });
    await as(fleet, alpha.lead, 'PATCH', `/tasks/${t3.id}`, { status: 'resolved' });

    const subjects = async (query = '') => {
      const response = await as(fleet, ann, 'GET', `/teams/alpha/tasks${query}`);
      t.equal(response.status, 200, `GET /teams/alpha/tasks${query}`);
      return response.body.map((task: { subject: string }) => task.subject.split(' ')[0]);
    };
    t.same(await subjects(), ['t1', 't2', 't3', 't4', 't5'], 'all, oldest first');
    t.same(await subjects('?status=open'), ['t1', 't4', 't5']);
    t.same(await subjects('?status=in_progress'), ['t2']);
    t.same(await subjects('?status=resolved'), ['t3']);
    t.same(await subjects('?owner=ann'), ['t1', 't5']);
    t.same(await subjects('?unassigned=true'), ['t3', 't4']);
    t.same(await subjects('?unassigned=false'), ['t1', 't2', 't3', 't4', 't5'], 'unassigned=false filters nothing');
    t.same(
      await subjects('?ready=true'),
      ['t1', 't5'],
      "ready: open with every blocker resolved (t4 waits for t1; t5's t3 is resolved)",
    );
    t.same(await subjects('?ready=true&unassigned=true'), [], 'ready and unowned: none yet');
    await as(fleet, ann, 'PATCH', `/tasks/${t1.id}`, { status: 'resolved' });
    t.same(await subjects('?ready=true'), ['t4', 't5'], 'resolving t1 makes t4 ready');
    t.same(await subjects('?ready=true&unassigned=true'), ['t4']);
    t.same(await subjects('?status=open&owner=ann'), ['t5'], 'filters combine');

    t.same(await subjects('?limit=2'), ['t1', 't2']);
    t.same(await subjects('?limit=2&offset=2'), ['t3', 't4']);
    t.same(await subjects('?limit=2&offset=4'), ['t5']);
    t.same(await subjects('?offset=9'), []);
    const task = (await as(fleet, ann, 'GET', '/teams/alpha/tasks?limit=1')).body[0];
    t.same(task, (await as(fleet, ann, 'GET', `/tasks/${t1.id}`)).body, 'list items are full task objects');
  },
);

t.test('GET /teams/:name/tasks pages: default 100, at most 1000', async (t) => {
  const fleet = await startCoordination(t);
  const alpha = await registerTeam(fleet, 'alpha', []);
  const api = fleet.kernel.api<import('./index.js').TasksApi>('tasks')!;
  const creator = await fleetAgent(fleet, alpha.lead.uid);
  // Seeded through the service in-process: the route under test is the listing, not 120 POSTs.
  for (let i = 0; i < 120; i++) await api.tasks.create({ teamName: 'alpha', creator, subject: `task ${i}` });
  t.equal((await as(fleet, alpha.lead, 'GET', '/teams/alpha/tasks')).body.length, 100, 'default limit 100');
  t.equal((await as(fleet, alpha.lead, 'GET', '/teams/alpha/tasks?limit=1000')).body.length, 120);
  const over = await as(fleet, alpha.lead, 'GET', '/teams/alpha/tasks?limit=1001');
  t.equal(over.status, 400);
  t.match(over.body.error, /^limit: must be at most 1000/);
});

async function fleetAgent(fleet: Awaited<ReturnType<typeof startCoordination>>, uid: string) {
  const auth = fleet.kernel.api<import('../auth/index.js').AuthApi>('auth')!;
  const agent = await auth.agents.get(uid);
  if (!agent) throw new Error('no such agent');
  return agent;
}

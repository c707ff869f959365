import t from 'tap';
import {
  type Agent,
  as,
  callTool,
  nextMillisecond,
  registerTeam,
  startCoordination,
  toolText,
} from '../../test/kit/index.js';

const WORK_ITEM_ID = /^wi-[a-z0-9]{5}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

t.test('work items: readable ids, the seed shape, filters, and a status history', async (t) => {
  const fleet = await startCoordination(t);
  const alpha = await registerTeam(fleet, 'alpha', ['ann', 'bob']);
  const [ann, bob] = alpha.workers as [Agent, Agent];

  const created = await as(fleet, ann, 'POST', '/workitems', {
    title: 'Fix the lexer',
    description: 'Unicode escapes',
    assignedTo: 'bob',
  });
  t.equal(created.status, 200);
  const item = created.body;
  t.match(item.id, WORK_ITEM_ID, 'a readable id like wi-x7k2m');
  t.same(Object.keys(item).sort(), [
    'assignedTo',
    'batchId',
    'createdAt',
    'description',
    'id',
    'status',
    'title',
    'updatedAt',
  ]);
  t.match(item, {
    title: 'Fix the lexer',
    description: 'Unicode escapes',
    status: 'pending',
    assignedTo: 'bob',
    batchId: null,
  });
  t.type(item.createdAt, 'number', 'times in ms, as the seed');

  const ids = new Set<string>([item.id]);
  for (let i = 0; i < 30; i++) {
    if (i === 0) await nextMillisecond();
    const more = await as(fleet, bob, 'POST', '/workitems', { title: `Item ${i}` });
    t.match(more.body.id, WORK_ITEM_ID);
    ids.add(more.body.id);
  }
  t.equal(ids.size, 31, 'ids are distinct');

  const started = await as(fleet, bob, 'PATCH', `/workitems/${item.id}`, { status: 'in_progress' });
  t.equal(started.status, 200);
  t.equal(started.body.status, 'in_progress');
  const blocked = await as(fleet, bob, 'PATCH', `/workitems/${item.id}`, {
    status: 'blocked',
    reason: 'waiting for the spec',
  });
  t.equal(blocked.body.status, 'blocked');
  await as(fleet, ann, 'PATCH', `/workitems/${item.id}`, { status: 'completed' });

  const got = await as(fleet, ann, 'GET', `/workitems/${item.id}`);
  t.equal(got.status, 200);
  t.equal(got.body.status, 'completed');
  t.same(
    got.body.history.map((e: Record<string, unknown>) => [e.eventType, e.actor, e.fromStatus, e.toStatus, e.details]),
    [
      ['created', 'ann', null, 'pending', { assignedTo: 'bob' }],
      ['status_changed', 'bob', 'pending', 'in_progress', null],
      ['status_changed', 'bob', 'in_progress', 'blocked', { reason: 'waiting for the spec' }],
      ['status_changed', 'ann', 'blocked', 'completed', null],
    ],
    'every change, in order, with who, from, to and why',
  );
  t.ok(got.body.history.every((e: { createdAt: unknown }) => typeof e.createdAt === 'number'));

  const list = async (query = '') =>
    (await as(fleet, ann, 'GET', `/workitems${query}`)).body as { id: string; title: string }[];
  t.equal((await list()).length, 31, 'all of the team');
  t.same(
    (await list('?status=completed')).map((w) => w.id),
    [item.id],
  );
  t.same(
    (await list('?assignee=bob')).map((w) => w.id),
    [item.id],
  );
  t.equal((await list('?status=pending')).length, 30);
  t.same((await list())[0]!.id, item.id, 'oldest first');

  const missing = await as(fleet, ann, 'GET', '/workitems/wi-zzzzz');
  t.equal(missing.status, 404);
  t.same(missing.body, { error: 'Work item not found', code: 'TASKS_WORK_ITEM_NOT_FOUND' });
  t.equal((await as(fleet, ann, 'PATCH', '/workitems/wi-zzzzz', { status: 'completed' })).status, 404);
});

t.test('batches: create with work items, list, get with items; unknown items are refused', async (t) => {
  const fleet = await startCoordination(t);
  const alpha = await registerTeam(fleet, 'alpha', ['ann']);
  const [ann] = alpha.workers as [Agent];
  const create = async (body: Record<string, unknown>) => {
    await nextMillisecond();
    return (await as(fleet, ann, 'POST', '/workitems', body)).body;
  };
  const a = await create({ title: 'A' });
  const b = await create({ title: 'B' });
  const c = await create({ title: 'C' });

  const batch = await as(fleet, ann, 'POST', '/batches', { name: 'Sprint 1', workItemIds: [a.id, b.id, a.id] });
  t.equal(batch.status, 200);
  t.match(batch.body, { id: UUID, name: 'Sprint 1', status: 'open', dispatchedTo: null });
  t.same(
    batch.body.workItems.map((w: { id: string }) => w.id),
    [a.id, b.id],
    'its items, each once',
  );
  t.ok(
    batch.body.workItems.every((w: { batchId: string }) => w.batchId === batch.body.id),
    'each item knows its batch',
  );

  const later = await create({ title: 'D', batchId: batch.body.id });
  t.equal(later.batchId, batch.body.id, 'an item created into a batch');
  const got = await as(fleet, ann, 'GET', `/batches/${batch.body.id}`);
  t.same(
    got.body.workItems.map((w: { title: string }) => w.title),
    ['A', 'B', 'D'],
  );
  t.same(
    (await as(fleet, ann, 'GET', `/workitems?batch=${batch.body.id}`)).body.map((w: { title: string }) => w.title),
    ['A', 'B', 'D'],
  );
  const history = (await as(fleet, ann, 'GET', `/workitems/${a.id}`)).body.history;
  t.match(history[1], { eventType: 'batched', details: { batchId: batch.body.id } }, 'batching is in the history');

  await nextMillisecond();
  const empty = await as(fleet, ann, 'POST', '/batches', { name: 'Empty' });
  t.same(empty.body.workItems, []);
  const listed = await as(fleet, ann, 'GET', '/batches');
  t.same(
    listed.body.map((x: { name: string }) => x.name),
    ['Sprint 1', 'Empty'],
  );

  const bad = await as(fleet, ann, 'POST', '/batches', { name: 'Bad', workItemIds: [c.id, 'wi-zzzzz'] });
  t.equal(bad.status, 404);
  t.same(bad.body, {
    error: 'workItemIds: work item wi-zzzzz not found',
    code: 'TASKS_UNKNOWN_WORK_ITEM',
    field: 'workItemIds',
  });
  t.equal(
    (await as(fleet, ann, 'GET', '/batches')).body.length,
    2,
    'the refused batch was not created (one transaction)',
  );
  t.equal((await as(fleet, ann, 'GET', `/workitems/${c.id}`)).body.batchId, null, 'nor was its known item moved');
  const badBatch = await as(fleet, ann, 'POST', '/workitems', {
    title: 'E',
    batchId: '00000000-0000-4000-8000-000000000000',
  });
  t.equal(badBatch.status, 404, 'a batch that is not there');
  t.match(badBatch.body, { error: /^batchId: batch .* not found$/, code: 'TASKS_UNKNOWN_BATCH', field: 'batchId' });
  t.equal((await as(fleet, ann, 'GET', '/batches/00000000-0000-4000-8000-000000000000')).status, 404);
});

t.test('POST /batches/:id/dispatch: lead only; 409 while the workers plugin is off', async (t) => {
  const fleet = await startCoordination(t);
  const alpha = await registerTeam(fleet, 'alpha', ['ann']);
  const [ann] = alpha.workers as [Agent];
  const item = (await as(fleet, ann, 'POST', '/workitems', { title: 'A' })).body;
  const batch = (await as(fleet, ann, 'POST', '/batches', { name: 'B1', workItemIds: [item.id] })).body;

  const worker = await as(fleet, ann, 'POST', `/batches/${batch.id}/dispatch`, { workerHandle: 'ann' });
  t.equal(worker.status, 403, 'a worker may not dispatch');
  t.match(worker.body, {
    error: 'Insufficient permissions',
    code: 'FLEET_INSUFFICIENT_PERMISSIONS',
    required: 'team-lead',
  });

  const off = await as(fleet, alpha.lead, 'POST', `/batches/${batch.id}/dispatch`, { workerHandle: 'ann' });
  t.equal(off.status, 409);
  t.match(off.body.error, /^Workers are off: turn on the workers plugin/);
  const tool = await callTool(fleet, alpha.lead, 'batch_dispatch', { batch_id: batch.id, worker: 'ann' });
  t.equal(tool.isError, true);
  t.match(toolText(tool), /^TASKS_WORKERS_OFF: Workers are off/, 'the tool says the same');
  const after = (await as(fleet, ann, 'GET', `/batches/${batch.id}`)).body;
  t.match(after, { status: 'open', dispatchedTo: null }, 'nothing changed');
  t.equal(after.workItems[0].assignedTo, null);
  const states = fleet.kernel.pluginStates();
  t.match(
    states.find((s) => s.name === 'tasks'),
    { state: 'on' },
    'tasks runs without workers (an optional dependency)',
  );
});

// Dispatch to a running worker, through the real workers plugin: workers.test.ts.

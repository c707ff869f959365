import t from 'tap';
import { type Agent, as, callTool, registerTeam, startCoordination, toolText } from '../../test/kit/index.js';

type Row = [method: string, path: string, body: unknown, error: string | RegExp];

const long = (n: number) => 'x'.repeat(n);
const UUID = '00000000-0000-4000-8000-000000000000';
const uuids = (n: number) =>
  Array.from({ length: n }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);

t.test('bad inputs to every tasks route: a 4xx whose error names the field, never a 500', async (t) => {
  const fleet = await startCoordination(t);
  const alpha = await registerTeam(fleet, 'alpha', ['ann']);
  const [ann] = alpha.workers as [Agent];
  const task = (await as(fleet, alpha.lead, 'POST', '/tasks', { subject: 'A real task', toHandle: 'ann' })).body;
  const item = (await as(fleet, alpha.lead, 'POST', '/workitems', { title: 'A real item' })).body;
  const batch = (await as(fleet, alpha.lead, 'POST', '/batches', { name: 'A real batch' })).body;

  const rows: Row[] = [
    ['POST', '/tasks', {}, 'subject: is required'],
    ['POST', '/tasks', { subject: 'ab' }, 'subject: must be 3–200 characters'],
    ['POST', '/tasks', { subject: long(201) }, 'subject: must be 3–200 characters'],
    ['POST', '/tasks', { subject: 42 }, 'subject: must be a string'],
    ['POST', '/tasks', { subject: 'Fine', description: 5 }, 'description: must be a string'],
    ['POST', '/tasks', { subject: 'Fine', description: long(10_001) }, 'description: must be at most 10000 characters'],
    ['POST', '/tasks', { subject: 'Fine', toHandle: 'a b' }, 'toHandle: may contain only letters, digits, _ and -'],
    ['POST', '/tasks', { subject: 'Fine', toHandle: '' }, 'toHandle: must be 1–50 characters'],
    ['POST', '/tasks', { subject: 'Fine', fromUid: 'lead' }, 'fromUid: must be a 24-digit hex agent uid'],
    ['POST', '/tasks', { subject: 'Fine', teamName: long(51) }, 'teamName: must be 1–50 characters'],
    ['POST', '/tasks', { subject: 'Fine', blockedBy: task.id }, 'blockedBy: must be a list of task ids'],
    ['POST', '/tasks', { subject: 'Fine', blockedBy: ['nope'] }, 'blockedBy.0: must be a task id (a UUID)'],
    ['POST', '/tasks', { subject: 'Fine', blockedBy: uuids(101) }, 'blockedBy: must list at most 100 tasks'],
    ['POST', '/tasks', { subject: 'Fine', blockedBy: [UUID] }, `blockedBy: task ${UUID} not found`],
    ['POST', '/tasks', 'not json', /JSON/i],
    ['GET', '/tasks/abc', undefined, 'taskId: must be a task id (a UUID)'],
    ['GET', `/tasks/${task.id}x`, undefined, 'taskId: must be a task id (a UUID)'],
    ['PATCH', '/tasks/abc', { status: 'open' }, 'taskId: must be a task id (a UUID)'],
    ['PATCH', `/tasks/${task.id}`, {}, 'status: is required (or blockedBy or priority)'],
    ['PATCH', `/tasks/${task.id}`, { status: 'done' }, 'status: must be one of open, in_progress, resolved, blocked'],
    ['PATCH', `/tasks/${task.id}`, { status: 1 }, 'status: must be one of open, in_progress, resolved, blocked'],
    ['PATCH', `/tasks/${task.id}`, { blockedBy: 'x' }, 'blockedBy: must be a list of task ids'],
    ['PATCH', `/tasks/${task.id}`, { blockedBy: [UUID] }, `blockedBy: task ${UUID} not found`],
    ['PATCH', `/tasks/${task.id}`, { blockedBy: [task.id] }, /^blockedBy: dependency cycle /],
    [
      'GET',
      `/teams/${encodeURIComponent('al pha')}/tasks`,
      undefined,
      'teamName: may contain only letters, digits, _ and -',
    ],
    ['GET', '/teams/alpha/tasks?status=done', undefined, 'status: must be one of open, in_progress, resolved, blocked'],
    ['GET', '/teams/alpha/tasks?owner=a%20b', undefined, 'owner: may contain only letters, digits, _ and -'],
    ['GET', '/teams/alpha/tasks?unassigned=yes', undefined, 'unassigned: must be true or false'],
    ['GET', '/teams/alpha/tasks?ready=1', undefined, 'ready: must be true or false'],
    ['GET', '/teams/alpha/tasks?limit=0', undefined, 'limit: must be at least 1'],
    ['GET', '/teams/alpha/tasks?limit=1001', undefined, 'limit: must be at most 1000'],
    ['GET', '/teams/alpha/tasks?limit=many', undefined, 'limit: must be a whole number'],
    ['GET', '/teams/alpha/tasks?offset=-1', undefined, 'offset: must be at least 0'],
    ['GET', '/teams/alpha/tasks?offset=1&offset=2', undefined, 'offset: must be a whole number'],
    ['POST', '/workitems', {}, 'title: is required'],
    ['POST', '/workitems', { title: '' }, 'title: is required'],
    ['POST', '/workitems', { title: long(201) }, 'title: must be at most 200 characters'],
    ['POST', '/workitems', { title: 'Fine', description: [] }, 'description: must be a string'],
    [
      'POST',
      '/workitems',
      { title: 'Fine', assignedTo: 'a/b' },
      'assignedTo: may contain only letters, digits, _ and -',
    ],
    ['POST', '/workitems', { title: 'Fine', batchId: 'b1' }, 'batchId: must be a batch id (a UUID)'],
    ['POST', '/workitems', { title: 'Fine', batchId: UUID }, `batchId: batch ${UUID} not found`],
    [
      'GET',
      '/workitems?status=done',
      undefined,
      'status: must be one of pending, in_progress, completed, blocked, cancelled',
    ],
    ['GET', '/workitems?assignee=a%20b', undefined, 'assignee: may contain only letters, digits, _ and -'],
    ['GET', '/workitems?batch=nope', undefined, 'batch: must be a batch id (a UUID)'],
    ['GET', '/workitems/wi-ABCDE', undefined, 'id: must be a work item id like wi-x7k2m'],
    ['GET', '/workitems/wi-abcdef', undefined, 'id: must be a work item id like wi-x7k2m'],
    ['GET', '/workitems/xyz', undefined, 'id: must be a work item id like wi-x7k2m'],
    ['PATCH', `/workitems/${item.id}`, {}, 'status: is required'],
    [
      'PATCH',
      `/workitems/${item.id}`,
      { status: 'open' },
      'status: must be one of pending, in_progress, completed, blocked, cancelled',
    ],
    [
      'PATCH',
      `/workitems/${item.id}`,
      { status: 'completed', reason: long(1001) },
      'reason: must be at most 1000 characters',
    ],
    ['PATCH', `/workitems/${item.id}`, { status: 'completed', reason: 3 }, /^reason: /],
    ['PATCH', '/workitems/nope', { status: 'completed' }, 'id: must be a work item id like wi-x7k2m'],
    ['POST', '/batches', {}, 'name: is required'],
    ['POST', '/batches', { name: '' }, 'name: is required'],
    ['POST', '/batches', { name: long(101) }, 'name: must be at most 100 characters'],
    ['POST', '/batches', { name: 'Fine', workItemIds: 'wi-aaaaa' }, 'workItemIds: must be a list of work item ids'],
    [
      'POST',
      '/batches',
      { name: 'Fine', workItemIds: ['wi-AAAAA'] },
      'workItemIds.0: must be a work item id like wi-x7k2m',
    ],
    [
      'POST',
      '/batches',
      { name: 'Fine', workItemIds: Array.from({ length: 501 }, () => item.id) },
      'workItemIds: must list at most 500',
    ],
    ['POST', '/batches', { name: 'Fine', workItemIds: ['wi-zzzzz'] }, 'workItemIds: work item wi-zzzzz not found'],
    ['GET', '/batches/nope', undefined, 'id: must be a batch id (a UUID)'],
    ['POST', '/batches/nope/dispatch', { workerHandle: 'ann' }, 'id: must be a batch id (a UUID)'],
    ['POST', `/batches/${batch.id}/dispatch`, {}, 'workerHandle: is required'],
    [
      'POST',
      `/batches/${batch.id}/dispatch`,
      { workerHandle: 'a b' },
      'workerHandle: may contain only letters, digits, _ and -',
    ],
    ['POST', '/mcp/call', {}, 'name: is required'],
    ['POST', '/mcp/call', { name: 'team_tasks', arguments: 'all' }, 'arguments: must be an object'],
  ];

  for (const [method, path, body, error] of rows) {
    const response = await as(fleet, alpha.lead, method, path, body);
    const label = `${method} ${path} ${body === undefined ? '' : JSON.stringify(body).slice(0, 70)}`;
    t.ok(response.status >= 400 && response.status < 500, `${label}: a 4xx (${response.status})`);
    // A reference to something that is not there (a blocker, a batch, a work item) is a 404 naming the field.
    t.equal(
      response.status,
      / not found$/.test(String(response.body?.error)) ? 404 : 400,
      `${label}: 400, or 404 for what is not found`,
    );
    t.match(response.body?.code, /^[A-Z][A-Z_]+$/, `${label}: a code`);
    if (typeof error === 'string') t.equal(response.body?.error, error, `${label}: ${error}`);
    else t.match(response.body?.error, error, `${label}: ${error}`);
  }

  const tasks = await as(fleet, ann, 'GET', '/teams/alpha/tasks');
  t.same(
    tasks.body.map((x: { id: string }) => x.id),
    [task.id],
    'no bad request created a task',
  );
  t.same(tasks.body[0].blockedBy, [], 'or changed one');
  t.same(
    (await as(fleet, ann, 'GET', '/workitems')).body.map((x: { id: string }) => x.id),
    [item.id],
    'or a work item',
  );
  t.equal((await as(fleet, ann, 'GET', '/batches')).body.length, 1, 'or a batch');
});

t.test('bad tool arguments: an isError result naming the field, never an internal error', async (t) => {
  const fleet = await startCoordination(t);
  const alpha = await registerTeam(fleet, 'alpha', ['ann']);
  const rows: [tool: string, args: Record<string, unknown>, field: string][] = [
    ['team_tasks', { filter: 'some' }, 'filter'],
    ['list_tasks', { filter: 3 }, 'filter'],
    ['team_assign', { task: 'Fine' }, 'agent'],
    ['team_assign', { agent: 'a b', task: 'Fine' }, 'agent'],
    ['team_assign', { agent: 'ann', task: 'ab' }, 'task'],
    ['team_assign', { agent: 'ann', task: 'Fine', blocked_by: ['x'] }, 'blocked_by.0'],
    ['team_assign', { agent: 'ann', task: 'Fine', description: 9 }, 'description'],
    ['create_task', {}, 'subject'],
    ['create_task', { subject: 'Fine', to: '' }, 'to'],
    ['team_complete', {}, 'task_id'],
    ['team_complete', { task_id: 'abc' }, 'task_id'],
    ['update_task', { task_id: UUID }, 'status'],
    ['update_task', { task_id: UUID, status: 'done' }, 'status'],
    ['team_claim', { task_id: 17 }, 'task_id'],
    ['workitem_create', {}, 'title'],
    ['workitem_create', { title: 'Fine', batchId: 'b' }, 'batchId'],
    ['workitem_update', { workitem_id: 'wi-1', status: 'completed' }, 'workitem_id'],
    ['workitem_update', { workitem_id: 'wi-aaaaa', status: 'finished' }, 'status'],
    ['workitem_list', { filter: 'theirs' }, 'filter'],
    ['workitem_list', { batch_id: 'b' }, 'batch_id'],
    ['batch_create', {}, 'name'],
    ['batch_create', { name: 'B', workitem_ids: ['x'] }, 'workitem_ids.0'],
    ['batch_dispatch', { batch_id: UUID }, 'worker'],
    ['batch_dispatch', { batch_id: 'b', worker: 'ann' }, 'batch_id'],
    ['team_send', { handle: 'ann' }, 'message'],
    ['team_send', { handle: 'ann', message: '' }, 'message'],
    ['team_broadcast', {}, 'message'],
    ['team_handoff', { to: 'ann', context: [1] }, 'context'],
    ['team_handoff', { to: 'ann' }, 'context'],
    ['mail_send', { to: 'ann' }, 'body'],
    ['mail_send', { to: 'ann', body: 'hi', subject: 5 }, 'subject'],
    ['send_message', { body: 'hi' }, 'to'],
    ['mail_read', { filter: 'new' }, 'filter'],
    ['read_messages', { mark_read: 'yes' }, 'mark_read'],
  ];
  for (const [tool, args, field] of rows) {
    const result = await callTool(fleet, alpha.lead, tool, args);
    t.equal(result.status, 200, `${tool}: answered`);
    t.equal(result.isError, true, `${tool} ${JSON.stringify(args)}: isError`);
    t.match(
      toolText(result),
      new RegExp(`^FLEET_INVALID_INPUT: ${field.replace('.', '\\.')}: `),
      `${tool}: names ${field}`,
    );
  }
  t.same((await as(fleet, alpha.lead, 'GET', '/teams/alpha/tasks')).body, [], 'nothing was created');
});

import t from 'tap';
import type { TestLike } from '../../test/kit/index.js';
import { type Agent, as, callTool, registerTeam, toolText } from '../../test/kit/index.js';
import { startWorkersFleet } from '../../test/kit/index.js';

const SECRET = 'ALPHA-SECRET';

/**
 * Alpha with a task, an unowned task, a work item and a batch, all carrying SECRET; beta's agents.
 * The real workers plugin is on (no worker spawned), so dispatch gets past its 409 to the batch
 * lookup.
 */
async function twoTeams(t: TestLike) {
  const { fleet } = await startWorkersFleet(t);
  const alpha = await registerTeam(fleet, 'alpha', ['ann', 'bob']);
  const beta = await registerTeam(fleet, 'beta', ['bo']);
  const task = (
    await as(fleet, alpha.lead, 'POST', '/tasks', { toHandle: 'ann', subject: `${SECRET} task`, description: SECRET })
  ).body;
  const open = (await as(fleet, alpha.lead, 'POST', '/tasks', { subject: `${SECRET} unowned` })).body;
  const item = (await as(fleet, alpha.lead, 'POST', '/workitems', { title: `${SECRET} item` })).body;
  const batch = (await as(fleet, alpha.lead, 'POST', '/batches', { name: `${SECRET} batch`, workItemIds: [item.id] }))
    .body;
  return { fleet, alpha, beta, task, open, item, batch };
}

t.test(
  "every tasks route refuses team beta on alpha's resources: " +
    "403 or 404 (400 'not found' for ids in a body), never data",
  async (t) => {
    const { fleet, alpha, beta, task, open, item, batch } = await twoTeams(t);
    const [ann] = alpha.workers as [Agent, Agent];
    const rows: [method: string, path: string, body: unknown, worker: number, lead: number, error?: RegExp][] = [
      ['POST', '/tasks', { teamName: 'alpha', subject: 'Into alpha' }, 403, 403, /^teamName: /],
      ['POST', '/tasks', { toHandle: 'ann', subject: 'For alpha ann' }, 404, 404, /^Agent ann not found$/],
      ['POST', '/tasks', { fromUid: ann.uid, subject: 'As alpha ann' }, 403, 404],
      [
        'POST',
        '/tasks',
        { subject: 'Blocked by alpha', blockedBy: [task.id] },
        404,
        404,
        /^blockedBy: task .* not found$/,
      ],
      ['GET', `/tasks/${task.id}`, undefined, 404, 404, /^Task not found$/],
      ['PATCH', `/tasks/${task.id}`, { status: 'resolved' }, 404, 404, /^Task not found$/],
      ['PATCH', `/tasks/${task.id}`, { blockedBy: [] }, 404, 404],
      ['GET', '/teams/alpha/tasks', undefined, 404, 404],
      ['GET', '/teams/alpha/tasks?ready=true', undefined, 404, 404],
      [
        'POST',
        '/workitems',
        { title: 'Into alpha batch', batchId: batch.id },
        404,
        404,
        /^batchId: batch .* not found$/,
      ],
      ['GET', `/workitems/${item.id}`, undefined, 404, 404, /^Work item not found$/],
      ['PATCH', `/workitems/${item.id}`, { status: 'cancelled' }, 404, 404],
      [
        'POST',
        '/batches',
        { name: 'Steal', workItemIds: [item.id] },
        404,
        404,
        /^workItemIds: work item .* not found$/,
      ],
      ['GET', `/batches/${batch.id}`, undefined, 404, 404, /^Batch not found$/],
      ['POST', `/batches/${batch.id}/dispatch`, { workerHandle: 'bo' }, 403, 404],
      ['GET', '/workitems', undefined, 200, 200],
      ['GET', `/workitems?batch=${batch.id}`, undefined, 200, 200],
      ['GET', '/batches', undefined, 200, 200],
    ];
    for (const [who, caller] of [
      ['worker', beta.workers[0]!],
      ['lead', beta.lead],
    ] as const) {
      for (const [method, path, body, workerStatus, leadStatus, error] of rows) {
        const response = await as(fleet, caller, method, path, body);
        const label = `beta ${who}: ${method} ${path} ${body ? JSON.stringify(body) : ''}`;
        t.equal(response.status, who === 'worker' ? workerStatus : leadStatus, label);
        t.notMatch(JSON.stringify(response.body), SECRET, `${label}: no alpha data`);
        if (response.status === 200) t.same(response.body, [], `${label}: beta's own (empty) list`);
        else if (error && response.status !== 403) t.match(response.body.error, error, `${label}: ${error}`);
      }
    }

    const after = await as(fleet, alpha.lead, 'GET', `/tasks/${task.id}`);
    t.match(after.body, { status: 'open', ownerHandle: 'ann', blockedBy: [] }, "alpha's task is untouched");
    t.match(
      (await as(fleet, alpha.lead, 'GET', `/workitems/${item.id}`)).body,
      { status: 'pending', batchId: batch.id },
      'so is its work item',
    );
    t.match(
      (await as(fleet, alpha.lead, 'GET', `/batches/${batch.id}`)).body,
      { status: 'open', dispatchedTo: null },
      'and its batch',
    );
    const alphaTasks = await as(fleet, alpha.lead, 'GET', '/teams/alpha/tasks');
    t.same(
      alphaTasks.body.map((x: { id: string }) => x.id),
      [task.id, open.id],
      'no task was added to alpha',
    );
  },
);

t.test('every tasks tool stays inside the caller team', async (t) => {
  const { fleet, alpha, beta, task, open, item, batch } = await twoTeams(t);
  const bo = beta.workers[0]!;
  const rows: [tool: string, args: Record<string, unknown>, caller: Agent, expect: RegExp][] = [
    ['team_claim', { task_id: open.id }, bo, /^TASKS_TASK_NOT_FOUND: Task not found$/],
    ['team_claim', {}, bo, /^TASKS_NOTHING_TO_CLAIM: No open, unowned, unblocked task to claim$/],
    ['team_complete', { task_id: task.id }, bo, /^TASKS_TASK_NOT_FOUND: Task not found$/],
    ['update_task', { task_id: task.id, status: 'in_progress' }, bo, /^TASKS_TASK_NOT_FOUND: Task not found$/],
    ['team_assign', { agent: 'ann', task: 'For alpha ann' }, beta.lead, /^TASKS_AGENT_NOT_FOUND: Agent ann not found$/],
    ['create_task', { to: 'bob', subject: 'For alpha bob' }, bo, /^TASKS_AGENT_NOT_FOUND: Agent bob not found$/],
    [
      'create_task',
      { subject: 'Blocked by alpha', blocked_by: [task.id] },
      bo,
      /^TASKS_UNKNOWN_BLOCKER: blockedBy: task .* not found$/,
    ],
    [
      'workitem_update',
      { workitem_id: item.id, status: 'completed' },
      bo,
      /^TASKS_WORK_ITEM_NOT_FOUND: Work item not found$/,
    ],
    [
      'workitem_create',
      { title: 'Into alpha batch', batchId: batch.id },
      bo,
      /^TASKS_UNKNOWN_BATCH: batchId: batch .* not found$/,
    ],
    [
      'batch_create',
      { name: 'Steal', workitem_ids: [item.id] },
      bo,
      /^TASKS_UNKNOWN_WORK_ITEM: workItemIds: work item .* not found$/,
    ],
    ['batch_dispatch', { batch_id: batch.id, worker: 'bo' }, beta.lead, /^TASKS_BATCH_NOT_FOUND: Batch not found$/],
  ];
  for (const [tool, args, caller, expect] of rows) {
    const result = await callTool(fleet, caller, tool, args);
    t.equal(result.isError, true, `${caller.handle}: ${tool} ${JSON.stringify(args)} is refused`);
    t.match(toolText(result), expect, `${tool}: ${expect}`);
    t.notMatch(toolText(result), SECRET);
  }
  for (const [tool, args] of [
    ['team_tasks', {}],
    ['list_tasks', { filter: 'unassigned' }],
    ['team_tasks', { filter: 'ready' }],
    ['workitem_list', {}],
    ['workitem_list', { batch_id: batch.id }],
  ] as const) {
    const result = await callTool(fleet, bo, tool, args);
    t.notOk(result.isError, `${tool} ${JSON.stringify(args)}`);
    t.same(JSON.parse(toolText(result)), [], `${tool}: beta's own (empty) list`);
  }
  const status = await callTool(fleet, bo, 'team_status');
  t.match(
    JSON.parse(toolText(status)).tasks,
    { counts: { open: 0, in_progress: 0, resolved: 0, blocked: 0 }, mine: [] },
    "team_status counts beta's tasks only",
  );
  t.match(
    (await as(fleet, alpha.lead, 'GET', `/tasks/${open.id}`)).body,
    { ownerHandle: null, status: 'open' },
    'the alpha task was not claimed',
  );
});

t.test('a body field naming someone else is 403 unless the caller leads that team', async (t) => {
  // (A lead of another team acting for alpha's agents is in the cross-team tables above.)
  const { fleet, alpha } = await twoTeams(t);
  const [ann, bob] = alpha.workers as [Agent, Agent];
  const dm = (await as(fleet, ann, 'POST', '/chats', { uid1: ann.uid, uid2: bob.uid })).body.chatId as string;
  const mail = (await as(fleet, ann, 'POST', '/mail', { to: 'bob', body: 'hi' })).body;
  const cases: [method: string, path: string, body: Record<string, unknown>, field: string][] = [
    ['POST', '/tasks', { fromUid: bob.uid, toHandle: 'ann', subject: 'Made by bob?' }, 'fromUid'],
    ['POST', `/chats/${dm}/messages`, { from: bob.uid, text: 'I am bob' }, 'from'],
    ['POST', `/chats/${dm}/read`, { uid: bob.uid }, 'uid'],
    ['POST', '/mail', { from: 'bob', to: 'ann', body: 'I am bob' }, 'from'],
    ['POST', '/handoffs', { from: 'bob', to: 'ann', context: {} }, 'from'],
    ['GET', `/users/${bob.uid}/chats`, {}, 'uid'],
    ['GET', '/mail/bob', {}, 'handle'],
    ['GET', '/mail/bob/unread', {}, 'handle'],
    ['GET', '/handoffs/bob', {}, 'handle'],
  ];
  for (const [method, path, body, field] of cases) {
    const sendBody = method === 'GET' ? undefined : body;
    const worker = await as(fleet, ann, method, path, sendBody);
    t.equal(worker.status, 403, `worker ann: ${method} ${path} naming bob`);
    t.match(
      worker.body.error,
      new RegExp(`^${field}: you may act only as yourself \\(ann\\)`),
      'the error names the field',
    );
    const lead = await as(fleet, alpha.lead, method, path, sendBody);
    t.equal(lead.status, 200, `alpha's lead: ${method} ${path} for bob`);
  }
  const marked = await as(fleet, ann, 'POST', `/mail/${mail.id}/read`);
  t.equal(marked.status, 403, 'mail read is for the recipient');
  const selfNamed = await as(fleet, ann, 'POST', '/tasks', {
    fromUid: ann.uid,
    toHandle: 'bob',
    subject: 'Made by ann',
  });
  t.equal(selfNamed.status, 200, 'naming yourself is always fine');
});

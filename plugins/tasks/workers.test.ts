/**
 * Issue 5 with the real workers plugin: a spawned worker's first prompt carries its unread mail and
 * pending handoffs (MailApi.briefing), and batches are dispatched to a running worker through the
 * WorkerInput port. The agent is the test fake (test/fixtures/fake-agent.mjs) in a real tmux pane:
 * it answers a plain prompt with `ack: <first line>` and runs `TOOL <name> <json>` lines as MCP calls.
 */
import t from 'tap';
import { type Agent, as, callTool, registerTeam, toolJson, toolText } from '../../test/kit/index.js';
import { startWorkersFleet } from '../../test/kit/index.js';

t.test(
  "a spawned worker's first prompt is its briefing: unread mail (whole bodies) and pending handoffs",
  async (t) => {
    const w = await startWorkersFleet(t);
    const { fleet } = w;
    const alpha = await registerTeam(fleet, 'alpha', ['ann']);
    const [ann] = alpha.workers as [Agent];

    // Mail waits for a worker that does not exist yet. Its body is a directive the fake agent runs,
    // so the reply proves the whole body reached the agent, not just a summary.
    const mail = await as(fleet, ann, 'POST', '/mail', {
      to: 'w1',
      subject: 'welcome',
      body: 'TOOL mail_send {"to":"ann","body":"briefed"}',
    });
    t.equal(mail.status, 200);
    await as(fleet, alpha.lead, 'POST', '/handoffs', { to: 'w1', context: { branch: 'fleet/ann' } });
    t.equal((await as(fleet, alpha.lead, 'GET', '/handoffs/w1')).status, 404, 'w1 is no agent yet: Agent w1 not found');

    const spawned = await w.spawn(alpha.lead, 'w1');
    t.equal(spawned.status, 201, JSON.stringify(spawned.body));
    const idle = await w.waitWorker(
      alpha.lead,
      'w1',
      (x) => x.state === 'idle' && x.numTurns === 1,
      'idle after its first turn',
    );
    t.equal(
      idle.result,
      'mail_send: ok',
      'the first turn ran the mail body: without a prompt of its own, the briefing is its prompt',
    );
    const reply = (await as(fleet, ann, 'GET', '/mail/ann')).body;
    t.match(
      reply,
      [{ fromHandle: 'w1', toHandle: 'ann', body: 'briefed' }],
      'the worker answered through its own MCP tools, as w1',
    );

    t.match(
      (await as(fleet, alpha.lead, 'GET', '/handoffs/w1')).body,
      [{ status: 'delivered', acceptedAt: null, context: { branch: 'fleet/ann' } }],
      'the handoff was delivered into the prompt, open until accepted',
    );
    t.equal(
      (await as(fleet, alpha.lead, 'GET', '/mail/w1/unread')).body.length,
      1,
      'mail stays unread until the worker reads it',
    );

    // A worker with nothing waiting gets no briefing: its first turn is its own prompt.
    await w.spawn(alpha.lead, 'w2', 'plain prompt');
    const plain = await w.waitWorker(
      alpha.lead,
      'w2',
      (x) => x.state === 'idle' && x.numTurns === 1,
      'idle after its first turn',
    );
    t.equal(plain.result, 'ack: plain prompt');

    // With both, the briefing comes first and the prompt after it.
    await as(fleet, ann, 'POST', '/mail', { to: 'w3', body: 'read me first' });
    await w.spawn(alpha.lead, 'w3', 'then the task');
    const both = await w.waitWorker(
      alpha.lead,
      'w3',
      (x) => x.state === 'idle' && x.numTurns === 1,
      'idle after its first turn',
    );
    t.equal(both.result, 'ack: You have 1 unread mail message(s):', 'the prompt starts with the briefing');
  },
);

t.test('POST /batches/:id/dispatch and batch_dispatch through the real workers plugin', async (t) => {
  const w = await startWorkersFleet(t);
  const { fleet } = w;
  const alpha = await registerTeam(fleet, 'alpha', ['ann']);
  const [ann] = alpha.workers as [Agent];
  t.match(
    fleet.kernel.pluginStates().find((s) => s.name === 'workers'),
    { state: 'on' },
  );

  const spawned = await w.spawn(alpha.lead, 'w1');
  t.equal(spawned.status, 201, JSON.stringify(spawned.body));
  await w.waitWorker(alpha.lead, 'w1', (x) => x.state === 'ready' || x.state === 'idle', 'ready');

  const a = (await as(fleet, alpha.lead, 'POST', '/workitems', { title: 'Parse', description: 'the config' })).body;
  const b = (await as(fleet, alpha.lead, 'POST', '/workitems', { title: 'Print' })).body;
  const batch = (await as(fleet, alpha.lead, 'POST', '/batches', { name: 'Sprint', workItemIds: [a.id, b.id] })).body;

  const notRunning = await as(fleet, alpha.lead, 'POST', `/batches/${batch.id}/dispatch`, { workerHandle: 'ann' });
  t.equal(notRunning.status, 409, 'an agent that is not a running worker');
  t.same(notRunning.body, { error: 'Worker ann is not running', code: 'TASKS_WORKER_NOT_RUNNING' });
  const byWorker = await as(fleet, ann, 'POST', `/batches/${batch.id}/dispatch`, { workerHandle: 'w1' });
  t.equal(byWorker.status, 403, 'team leads only');
  t.match(
    (await as(fleet, alpha.lead, 'GET', `/batches/${batch.id}`)).body,
    { status: 'open', dispatchedTo: null },
    'nothing changed yet',
  );

  const dispatched = await as(fleet, alpha.lead, 'POST', `/batches/${batch.id}/dispatch`, { workerHandle: 'w1' });
  t.equal(dispatched.status, 200, JSON.stringify(dispatched.body));
  t.match(dispatched.body, { id: batch.id, status: 'dispatched', dispatchedTo: 'w1', dispatchedCount: 2 });
  t.ok(
    dispatched.body.workItems.every((x: { assignedTo: string }) => x.assignedTo === 'w1'),
    'every item is assigned to the worker',
  );
  const turn = await w.waitWorker(
    alpha.lead,
    'w1',
    (x) => x.state === 'idle' && x.numTurns >= 1,
    'a turn for the batch',
  );
  t.equal(
    turn.result,
    `ack: [BATCH] ${batch.id} dispatched to you. Update each work item with workitem_update as you go.`,
    'the worker was sent the batch',
  );
  t.match((await as(fleet, alpha.lead, 'GET', `/workitems/${a.id}`)).body.history.at(-1), {
    eventType: 'dispatched',
    details: { worker: 'w1', batchId: batch.id },
  });

  const twice = await as(fleet, alpha.lead, 'POST', `/batches/${batch.id}/dispatch`, { workerHandle: 'w1' });
  t.equal(twice.status, 409);
  t.same(twice.body, { error: 'Batch is dispatched, not open', code: 'TASKS_BATCH_NOT_OPEN' });

  // ECHO makes the fake agent answer with the whole input, to see how the batch reached it.
  const echo = (await as(fleet, alpha.lead, 'POST', '/workitems', { title: 'Look', description: 'ECHO' })).body;
  const second = (await as(fleet, alpha.lead, 'POST', '/batches', { name: 'Second', workItemIds: [echo.id] })).body;
  const denied = await callTool(fleet, ann, 'batch_dispatch', { batch_id: second.id, worker: 'w1' });
  t.match(toolText(denied), /^FLEET_INSUFFICIENT_PERMISSIONS: Insufficient permissions/);
  t.match(toolJson(await callTool(fleet, alpha.lead, 'batch_dispatch', { batch_id: second.id, worker: 'w1' })), {
    status: 'dispatched',
    dispatchedTo: 'w1',
    dispatchedCount: 1,
  });
  const next = await w.waitWorker(
    alpha.lead,
    'w1',
    (x) => x.state === 'idle' && x.numTurns >= 2,
    'a turn for the second batch',
  );
  const received = String(next.result).split('\n');
  t.match(received[0], `[BATCH] ${second.id} dispatched to you.`, 'batch_dispatch sends through the same port');
  t.match(received[1], `[fleet] batch ${second.id} from lead-alpha (team lead).`, 'the sender is named');
  const tag = /^<<<fleet-data ([0-9a-f]{12})$/.exec(received[2] ?? '')?.[1];
  t.ok(tag, 'the name and items follow inside a data fence');
  t.same(
    received.slice(3),
    ['Batch: Second', 'Work items assigned to you:', `- ${echo.id}: Look`, '  ECHO', `fleet-data ${tag}>>>`],
    'all of it inside the fence',
  );

  const beta = await registerTeam(fleet, 'beta', []);
  const betaBatch = (await as(fleet, beta.lead, 'POST', '/batches', { name: 'Beta' })).body;
  const cross = await as(fleet, beta.lead, 'POST', `/batches/${betaBatch.id}/dispatch`, { workerHandle: 'w1' });
  t.equal(cross.status, 409, "alpha's worker is not running for beta");
  t.same(cross.body, { error: 'Worker w1 is not running', code: 'TASKS_WORKER_NOT_RUNNING' });
  t.equal(
    (await as(fleet, beta.lead, 'POST', `/batches/${batch.id}/dispatch`, { workerHandle: 'w1' })).status,
    404,
    "alpha's batch is not beta's",
  );
});

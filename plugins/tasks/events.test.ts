import t from 'tap';
import {
  type Agent,
  as,
  callTool,
  dmChatId,
  registerTeam,
  startCoordination,
  TestSocket,
} from '../../test/kit/index.js';

const ofType = (messages: Record<string, any>[], ...types: string[]) => messages.filter((m) => types.includes(m.type));

t.test('task_assigned goes to the subscribers of the assignment DM only', async (t) => {
  const fleet = await startCoordination(t);
  const alpha = await registerTeam(fleet, 'alpha', ['ann', 'bob']);
  const beta = await registerTeam(fleet, 'beta', ['bo']);
  const [ann, bob] = alpha.workers as [Agent, Agent];
  // A chat must exist before anyone may follow it: open the lead–ann DM first (the seed id).
  const dm = (await as(fleet, alpha.lead, 'POST', '/chats', { uid1: alpha.lead.uid, uid2: ann.uid })).body
    .chatId as string;
  t.equal(dm, dmChatId(alpha.lead.uid, ann.uid));

  const annSocket = await TestSocket.as(t, fleet, ann);
  const annIdle = await TestSocket.as(t, fleet, ann);
  const bobSocket = await TestSocket.as(t, fleet, bob);
  const boSocket = await TestSocket.as(t, fleet, beta.workers[0]!);
  t.same(await annSocket.subscribe(dm), { type: 'subscribed', chatId: dm });
  t.equal((await bobSocket.subscribe(dm)).type, 'error', 'bob is not in the lead–ann DM');

  const task = (
    await as(fleet, alpha.lead, 'POST', '/tasks', { toHandle: 'ann', subject: 'Ship it', description: 'today' })
  ).body;
  const [event, ...more] = ofType(await annSocket.sync(), 'task_assigned');
  t.equal(more.length, 0, 'one task_assigned');
  t.match(event, {
    type: 'task_assigned',
    chatId: dm,
    handle: 'lead-alpha',
    message: { text: '[TASK] Ship it\n\ntoday', metadata: { taskId: task.id, type: 'task_assignment' } },
  });
  t.same(event?.task, task, 'with the task');
  t.same(ofType(await annSocket.sync(), 'new_message'), [], 'not also a new_message');
  for (const [name, socket] of [
    ['ann, not subscribed on this socket', annIdle],
    ['bob', bobSocket],
    ['bo of beta', boSocket],
  ] as const) {
    t.same(ofType(await socket.sync(), 'task_assigned'), [], `${name}: no task_assigned`);
  }

  const viaTool = await callTool(fleet, alpha.lead, 'team_assign', { agent: 'ann', task: 'Via the tool' });
  t.notOk(viaTool.isError);
  t.match(
    ofType(await annSocket.sync(), 'task_assigned'),
    [{ chatId: dm, message: { text: '[TASK] Via the tool\n\n' } }],
    'team_assign sends it too',
  );
  await as(fleet, alpha.lead, 'POST', '/tasks', { toHandle: 'bob', subject: 'For bob' });
  t.same(ofType(await annSocket.sync(), 'task_assigned'), [], "an assignment in another DM is not ann's");
});

t.test("task_updated and task_resolved go to the team's sockets only", async (t) => {
  const fleet = await startCoordination(t);
  const alpha = await registerTeam(fleet, 'alpha', ['ann', 'bob']);
  const beta = await registerTeam(fleet, 'beta', ['bo']);
  const [ann, bob] = alpha.workers as [Agent, Agent];
  const bobSocket = await TestSocket.as(t, fleet, bob);
  const leadSocket = await TestSocket.as(t, fleet, alpha.lead);
  const boSocket = await TestSocket.as(t, fleet, beta.workers[0]!);
  const betaLead = await TestSocket.as(t, fleet, beta.lead);
  const anonymous = await TestSocket.open(t, fleet);
  const outsiders = [
    ['bo of beta', boSocket],
    ["beta's lead", betaLead],
    ['an unauthenticated socket', anonymous],
  ] as const;

  const task = (await as(fleet, alpha.lead, 'POST', '/tasks', { toHandle: 'ann', subject: 'Team event' })).body;
  await as(fleet, ann, 'PATCH', `/tasks/${task.id}`, { status: 'in_progress' });
  for (const socket of [bobSocket, leadSocket]) {
    const updated = ofType(await socket.sync(), 'task_updated', 'task_resolved');
    t.equal(updated.length, 1, 'a teammate socket, with no subscription, gets task_updated');
    t.match(updated[0], { type: 'task_updated', task: { id: task.id, status: 'in_progress', ownerHandle: 'ann' } });
  }

  await as(fleet, ann, 'PATCH', `/tasks/${task.id}`, { status: 'resolved' });
  const resolved = ofType(await bobSocket.sync(), 'task_updated', 'task_resolved');
  t.same(
    resolved.map((e) => e.type),
    ['task_updated', 'task_resolved'],
    'resolving: task_updated then task_resolved',
  );
  t.match(resolved[1], { task: { id: task.id, status: 'resolved' }, resolvedBy: { handle: 'ann', type: 'worker' } });
  await as(fleet, alpha.lead, 'PATCH', `/tasks/${task.id}`, { status: 'resolved' });
  t.same(
    ofType(await bobSocket.sync(), 'task_updated', 'task_resolved').map((e) => e.type),
    ['task_updated'],
    'resolving a resolved task is no new resolution',
  );

  const open = (await as(fleet, alpha.lead, 'POST', '/tasks', { subject: 'To be claimed' })).body;
  await leadSocket.sync();
  await callTool(fleet, bob, 'team_claim', { task_id: open.id });
  t.match(
    ofType(await leadSocket.sync(), 'task_updated'),
    [{ task: { id: open.id, ownerHandle: 'bob', status: 'in_progress' } }],
    'a claim is a task_updated',
  );
  await callTool(fleet, bob, 'team_complete', { task_id: open.id });
  t.same(
    ofType(await leadSocket.sync(), 'task_updated', 'task_resolved').map((e) => e.type),
    ['task_updated', 'task_resolved'],
    'team_complete too',
  );
  await as(fleet, alpha.lead, 'PATCH', `/tasks/${open.id}`, { status: 'open' });
  await as(fleet, alpha.lead, 'PATCH', `/tasks/${open.id}`, { status: 'resolved' });
  t.match(
    ofType(await leadSocket.sync(), 'task_resolved'),
    [{ task: { id: open.id }, resolvedBy: { handle: 'lead-alpha', type: 'team-lead' } }],
    'reopened and resolved by the lead: the lead is named',
  );

  const blocked = await as(fleet, alpha.lead, 'POST', '/tasks', {
    subject: 'Blocked',
    blockedBy: [(await as(fleet, alpha.lead, 'POST', '/tasks', { subject: 'Blocker' })).body.id],
  });
  await leadSocket.sync();
  await as(fleet, alpha.lead, 'PATCH', `/tasks/${blocked.body.id}`, { status: 'resolved' });
  t.same(ofType(await leadSocket.sync(), 'task_updated', 'task_resolved'), [], 'a refused resolve sends nothing');

  const item = (await as(fleet, ann, 'POST', '/workitems', { title: 'Item' })).body;
  await bobSocket.sync();
  await as(fleet, ann, 'PATCH', `/workitems/${item.id}`, { status: 'completed' });
  t.match(
    ofType(await bobSocket.sync(), 'task_completed'),
    [{ workItem: { id: item.id, status: 'completed' } }],
    'a completed work item is a task_completed',
  );

  for (const [name, socket] of outsiders) {
    const got = await socket.sync();
    t.same(
      ofType(got, 'task_updated', 'task_resolved', 'task_completed', 'task_created', 'task_assigned'),
      [],
      `${name}: none of alpha's task events`,
    );
    t.notMatch(JSON.stringify(got), /Team event|To be claimed/, `${name}: never alpha's data`);
  }

  const betaTask = (await as(fleet, beta.lead, 'POST', '/tasks', { toHandle: 'bo', subject: 'Beta work' })).body;
  await as(fleet, beta.workers[0]!, 'PATCH', `/tasks/${betaTask.id}`, { status: 'resolved' });
  t.same(
    ofType(await boSocket.sync(), 'task_updated', 'task_resolved').map((e) => e.type),
    ['task_updated', 'task_resolved'],
    'beta hears its own',
  );
  t.same(ofType(await bobSocket.sync(), 'task_updated', 'task_resolved'), [], 'alpha hears nothing of beta');
});

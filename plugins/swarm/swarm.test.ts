/**
 * The swarm plugin end to end with real workers (the fake agent in a private tmux): swarms and kill,
 * maxAgents, the blackboard's access rules, beliefs' consensus and expiry, concurrent transfers, and
 * credits and reputation moving only on verified outcomes. Runs on SQLite and PostgreSQL (test kit).
 */
import t from 'tap';
import { startWorkerFleet, waitFor } from '../../test/kit/index.js';

t.test('swarms, kill, maxAgents, blackboard, beliefs, credits and outcomes', async (t) => {
  const w = await startWorkerFleet(t, { plugins: { swarm: true } });
  const { fleet, lead } = w;
  const req = (method: string, path: string, token: string, body?: unknown) =>
    fleet.request(method, path, { token, body });

  // Swarms: created by a lead, team-scoped.
  const created = await req('POST', '/swarms', lead, { name: 'builders', maxAgents: 2 });
  t.equal(created.status, 200, JSON.stringify(created.body));
  const sid = created.body.id as string;
  t.match(sid, /^swarm-[0-9a-f]{8}$/);
  const other = await req('POST', '/swarms', lead, { name: 'others' });
  const otherLead = (await fleet.register('lead', 'beta', 'team-lead')).token;
  t.equal((await req('GET', `/swarms/${sid}`, otherLead)).status, 404, 'another team does not see the swarm');
  t.same((await req('GET', '/swarms', otherLead)).body, [], 'another team lists none');
  t.equal((await req('POST', '/swarms', lead, { name: '' })).status, 400);
  t.match((await req('GET', '/swarms?includeAgents=maybe', lead)).body, { error: /includeAgents/ });

  // Two workers into a swarm of two; a third is refused with a clear error.
  for (const handle of ['w1', 'w2']) {
    const spawned = await w.spawn(handle, { swarmId: sid });
    t.equal(spawned.status, 201, JSON.stringify(spawned.body));
    t.equal(spawned.body.swarmId, sid);
  }
  const full = await w.spawn('w3', { swarmId: sid });
  t.equal(full.status, 409, JSON.stringify(full.body));
  t.match(full.body, { code: 'SWARM_FULL', error: /is full: 2 of 2/ });
  t.equal((await w.spawn('w4', { swarmId: 'swarm-nothere' })).status, 404);
  await w.spawn('w5', { swarmId: other.body.id });
  await w.spawn('loner');
  const described = await req('GET', `/swarms/${sid}`, lead);
  t.same(described.body.agents.map((a: any) => a.handle).sort(), ['w1', 'w2']);
  const listed = await req('GET', '/swarms?includeAgents=true', lead);
  t.equal(listed.body.length, 2);

  const w1 = (await fleet.register('w1', 'alpha', 'worker')).token;
  const w2 = (await fleet.register('w2', 'alpha', 'worker')).token;
  const w5 = (await fleet.register('w5', 'alpha', 'worker')).token;
  const loner = (await fleet.register('loner', 'alpha', 'worker')).token;

  // Blackboard: a worker posts as itself into its own swarm; not into another, not as someone else.
  const post = (token: string, body: Record<string, unknown>) => req('POST', '/blackboard', token, body);
  const open = await post(w1, { swarmId: sid, messageType: 'status', payload: { step: 1 } });
  t.equal(open.status, 200, JSON.stringify(open.body));
  t.equal(open.body.senderHandle, 'w1');
  t.equal((await post(w5, { swarmId: sid, messageType: 'status', payload: {} })).status, 403, 'other swarm');
  t.match((await post(loner, { swarmId: sid, messageType: 'status', payload: {} })).body, {
    error: 'Worker not assigned to any swarm',
  });
  t.equal((await post(w1, { swarmId: sid, senderHandle: 'w2', messageType: 'status', payload: {} })).status, 403);
  t.equal((await post(w1, { swarmId: sid, messageType: 'status', payload: {}, targetHandle: null })).status, 400);
  const secret = await post(w1, { swarmId: sid, messageType: 'request', payload: { x: 1 }, targetHandle: 'lead' });
  t.equal(secret.status, 200);
  const seenBy = async (token: string) =>
    ((await req('GET', `/blackboard/${sid}`, token)).body as any[]).map((m) => m.id);
  t.ok((await seenBy(lead)).includes(secret.body.id), 'the lead sees a message targeted at it');
  t.notOk((await seenBy(w2)).includes(secret.body.id), 'another worker does not');
  t.ok((await seenBy(w2)).includes(open.body.id));
  const unread = await req('GET', `/blackboard/${sid}?unreadOnly=true`, w2);
  t.equal(unread.body.length, 1);
  const marked = await req('POST', '/blackboard/mark-read', w2, { messageIds: [open.body.id, secret.body.id] });
  t.same(marked.body, { success: true, marked: 1 }, 'only the message w2 may see is marked');
  const again = await req('POST', '/blackboard/mark-read', w2, { messageIds: [open.body.id] });
  t.equal(again.body.marked, 0, 'marked counts rows really changed');
  t.same((await req('GET', `/blackboard/${sid}?unreadOnly=true`, w2)).body, []);
  const archived = await req('POST', '/blackboard/archive', lead, { messageIds: [open.body.id, open.body.id] });
  t.equal(archived.body.archived, 1);
  t.equal((await req('POST', '/blackboard/archive', lead, { messageIds: [open.body.id] })).body.archived, 0);
  t.equal((await req('POST', '/blackboard/archive', w1, { messageIds: [open.body.id] })).status, 403);

  // Broadcast: a directive on the blackboard, and sent to the live members.
  const broadcast = await req('POST', '/mcp/call', lead, {
    name: 'swarm_broadcast',
    arguments: { swarm_id: sid, directive: 'stop and commit' },
  });
  const result = JSON.parse(broadcast.body.content[0].text);
  t.equal(result.message.messageType, 'directive');
  t.same(result.delivered.sort(), ['w1', 'w2']);

  // Beliefs: consensus weighted by confidence and reputation; expiry.
  const belief = (token: string, body: Record<string, unknown>) =>
    req('POST', '/beliefs', token, { swarmId: sid, beliefType: 'observation', ...body });
  t.equal((await belief(w1, { subject: 'db', beliefValue: 'postgres', confidence: 0.9 })).status, 201);
  await belief(w2, { subject: 'db', beliefValue: 'sqlite', confidence: 0.6 });
  await belief(lead, { subject: 'db', beliefValue: 'sqlite', confidence: 0.6 });
  let consensus = await req('GET', `/beliefs/${sid}/consensus/db?minConfidence=0.5`, lead);
  t.equal(consensus.body.consensusValue, 'sqlite', '0.6+0.6 > 0.9 at equal reputation');
  // A lead's verdicts on w1 raise its reputation: its belief now outweighs.
  for (let i = 0; i < 8; i++)
    await req('POST', '/credits/reputation', lead, {
      swarmId: sid,
      agentHandle: 'w1',
      success: true,
      weight: 0.5,
      reason: 'good',
    });
  consensus = await req('GET', `/beliefs/${sid}/consensus/db`, lead);
  t.equal(consensus.body.consensusValue, 'postgres', 'reputation weighs in');
  t.ok(consensus.body.agreementLevel > 0.5 && consensus.body.agreementLevel < 1);
  const soon = Date.now() + 300;
  await belief(w2, { subject: 'flaky', beliefValue: 'yes', validUntilMs: soon });
  t.equal((await req('GET', `/beliefs/${sid}/w2?subject=flaky`, w2)).body.count, 1);
  await new Promise((r) => setTimeout(r, 400));
  t.equal((await req('GET', `/beliefs/${sid}/w2?subject=flaky`, w2)).body.count, 0, 'expired');
  t.equal((await req('GET', `/beliefs/${sid}/w2?subject=flaky&includeExpired=true`, w2)).body.count, 1);
  t.equal((await belief(w2, { subject: 'x', beliefValue: 'y', validUntilMs: 5 })).status, 400);

  // Credits: no account from a GET; 50 parallel transfers racing on one balance.
  t.equal((await req('GET', `/credits/${sid}/w2`, lead)).status, 404);
  const first = await req('POST', '/credits/transfer', w2, { swarmId: sid, toHandle: 'w1', amount: 10 });
  t.equal(first.status, 200, JSON.stringify(first.body));
  t.equal(first.body.from.balance, 90);
  const racing = await Promise.all(
    Array.from({ length: 50 }, () => req('POST', '/credits/transfer', w2, { swarmId: sid, toHandle: 'w1', amount: 7 })),
  );
  const ok = racing.filter((r) => r.status === 200).length;
  t.equal(ok, 12, '90 / 7: twelve transfers pass');
  t.ok(racing.every((r) => r.status === 200 || (r.status === 409 && r.body.requested === 7)));
  const a = (await req('GET', `/credits/${sid}/w1`, lead)).body;
  const b = (await req('GET', `/credits/${sid}/w2`, lead)).body;
  t.equal(b.balance, 6, 'never below zero');
  t.equal(a.balance + b.balance, 200, 'total conserved');
  const short = await req('POST', '/credits/transfer', w2, { swarmId: sid, toHandle: 'w1', amount: 50 });
  t.match(short, { status: 409, body: { balance: 6, requested: 50 } });
  t.equal((await req('POST', '/credits/transfer', w2, { swarmId: sid, toHandle: 'w1', amount: -1 })).status, 400);
  t.equal(
    (await req('POST', '/credits/transfer', w2, { swarmId: sid, fromHandle: 'w1', toHandle: 'w2', amount: 1 })).status,
    403,
  );
  t.equal((await req('GET', `/credits/${sid}/w1`, otherLead)).status, 404, 'other team');

  // Outcomes: a claim earns nothing; a task a lead resolved pays its owner once; a reopen takes it back
  // (the owner resolving its own task earns nothing: credits/verified-resolution.test.ts).
  const before = (await req('GET', `/credits/${sid}/w2`, lead)).body;
  const task = await req('POST', '/tasks', lead, { toHandle: 'w2', subject: 'ship it' });
  t.equal(task.status, 200, JSON.stringify(task.body));
  await req('POST', '/mail', w2, { to: 'lead', body: 'done!' });
  await new Promise((r) => setTimeout(r, 200));
  t.equal((await req('GET', `/credits/${sid}/w2`, lead)).body.balance, before.balance, 'a self-report earns nothing');
  await req('PATCH', `/tasks/${task.body.id}`, lead, { status: 'resolved' });
  const paid = await waitFor('paid', async () => {
    const account = (await req('GET', `/credits/${sid}/w2`, lead)).body;
    return account.balance > before.balance ? account : undefined;
  });
  t.equal(paid.balance, before.balance + 10);
  t.ok(paid.reputationScore > before.reputationScore);
  t.equal(paid.taskCount, before.taskCount + 1);
  const hist = await req('GET', `/credits/${sid}/w2/history?transactionType=earn`, lead);
  t.match(hist.body.transactions[0], { eventKey: /^task_resolved:/, referenceType: 'task', referenceId: task.body.id });
  await req('PATCH', `/tasks/${task.body.id}`, lead, { status: 'open' });
  const back = await waitFor('reopened', async () => {
    const account = (await req('GET', `/credits/${sid}/w2`, lead)).body;
    return account.balance < paid.balance ? account : undefined;
  });
  t.equal(back.balance, before.balance);
  t.ok(back.reputationScore < paid.reputationScore);

  // A lead's transaction needs a reason; no silent clamp.
  t.equal(
    (
      await req('POST', '/credits/transaction', lead, {
        swarmId: sid,
        agentHandle: 'w2',
        transactionType: 'bonus',
        amount: 5,
      })
    ).status,
    400,
  );
  const penalty = await req('POST', '/credits/transaction', lead, {
    swarmId: sid,
    agentHandle: 'w2',
    transactionType: 'penalty',
    amount: 9999,
    reason: 'too much',
  });
  t.equal(penalty.status, 409);
  t.equal(
    (
      await req('POST', '/credits/transaction', w1, {
        swarmId: sid,
        agentHandle: 'w2',
        transactionType: 'bonus',
        amount: 5,
        reason: 'x',
      })
    ).status,
    403,
  );

  // Kill: dismisses the swarm's workers through the workers plugin and names them.
  const killed = await req('POST', `/swarms/${sid}/kill`, lead, { graceful: false });
  t.equal(killed.status, 200, JSON.stringify(killed.body));
  t.same(killed.body.dismissed.sort(), ['w1', 'w2']);
  t.equal(killed.body.deleted, true);
  t.equal((await w.worker('w1')).state, 'stopped');
  t.not((await w.worker('w5')).state, 'stopped', 'a worker of another swarm stays');
  t.equal((await req('GET', `/swarms/${sid}`, lead)).status, 404);
  await req('POST', `/orchestrate/dismiss/w5`, lead);
  await req('POST', `/orchestrate/dismiss/loner`, lead);
});

/**
 * Events as the seed names them (swarm_created, blackboard_message, credits:transfer, swarm_killed),
 * on the team's topics only; a targeted message's event carries no payload. Stats and the
 * leaderboard agree with the ledger.
 */
import t from 'tap';
import { EventSocket, registerTeam, startCoordination } from '../../test/kit/index.js';

t.test('events reach the team only; targeted payloads stay off the wire; stats and leaderboard', async (t) => {
  const fleet = await startCoordination(t, { plugins: { auth: true, swarm: true } });
  const { lead, workers } = await registerTeam(fleet, 'alpha', ['ann', 'bob']);
  const beta = await registerTeam(fleet, 'beta', ['zed']);
  const [ann, bob] = workers as [(typeof workers)[0], (typeof workers)[0]];
  const req = (method: string, path: string, token: string, body?: unknown) =>
    fleet.request(method, path, { token, body });
  const alphaSocket = await EventSocket.open(t, fleet.url, bob.token);
  const betaSocket = await EventSocket.open(t, fleet.url, beta.lead.token);

  const sid = (await req('POST', '/swarms', lead.token, { name: 'evented' })).body.id as string;
  const created = await alphaSocket.waitFor('swarm_created', (m) => m.type === 'swarm_created');
  t.equal(created.swarm.id, sid);
  await req('POST', '/blackboard', lead.token, {
    swarmId: sid,
    messageType: 'request',
    payload: { secret: 'FOR-ANN-ONLY' },
    targetHandle: 'ann',
  });
  await req('POST', '/blackboard', lead.token, { swarmId: sid, messageType: 'status', payload: { open: 'ALL' } });
  const open = await alphaSocket.waitFor(
    'open message',
    (m) => m.type === 'blackboard_message' && !m.message.targetHandle,
  );
  t.same(open.message.payload, { open: 'ALL' });
  const targeted = alphaSocket.received.find((m) => m.type === 'blackboard_message' && m.message.targetHandle);
  t.ok(targeted, 'the targeted message is announced');
  t.notOk(JSON.stringify(targeted).includes('FOR-ANN-ONLY'), 'without its payload');
  t.equal(((await req('GET', `/blackboard/${sid}`, ann.token)).body as any[]).length, 2, 'ann reads both');
  t.equal(((await req('GET', `/blackboard/${sid}`, bob.token)).body as any[]).length, 1, 'bob reads one');

  await req('POST', '/credits/transfer', ann.token, { swarmId: sid, toHandle: 'bob', amount: 30 });
  const transfer = await alphaSocket.waitFor('transfer', (m) => m.type === 'credits:transfer');
  t.match(transfer, { swarmId: sid, from: 'ann', to: 'bob', amount: 30 });
  await req('POST', '/credits/reputation', lead.token, {
    swarmId: sid,
    agentHandle: 'bob',
    success: true,
    reason: 'reviewed',
  });
  const stats = (await req('GET', `/credits/${sid}/stats`, bob.token)).body;
  t.same(stats, {
    totalAgents: 2,
    totalBalance: 200,
    totalEarned: 30,
    totalSpent: 30,
    avgReputation: (0.5 + 0.55) / 2,
    totalTasks: 1,
    totalSuccesses: 1,
  });
  const board = (await req('GET', `/credits/${sid}/leaderboard?orderBy=balance&limit=1`, bob.token)).body;
  t.match(board, { count: 1, leaderboard: [{ agentHandle: 'bob', balance: 130, successRate: 1 }] });
  t.equal((await req('GET', `/credits/${sid}/leaderboard`, bob.token)).body.leaderboard[0].agentHandle, 'bob');
  await req('POST', '/beliefs', ann.token, { swarmId: sid, subject: 'a', beliefValue: 'x', confidence: 0.4 });
  await req('POST', '/beliefs', bob.token, { swarmId: sid, subject: 'a', beliefValue: 'y', beliefType: 'inference' });
  await req('POST', '/beliefs/meta', bob.token, {
    swarmId: sid,
    aboutHandle: 'ann',
    metaType: 'reliability',
    beliefValue: 'high',
  });
  const again = await req('POST', '/beliefs/meta', bob.token, {
    swarmId: sid,
    aboutHandle: 'ann',
    metaType: 'reliability',
    beliefValue: 'very high',
  });
  t.equal(again.body.evidenceCount, 2);
  t.same((await req('GET', `/beliefs/${sid}/stats`, bob.token)).body, {
    totalBeliefs: 2,
    totalMetaBeliefs: 1,
    uniqueAgents: 2,
    uniqueSubjects: 1,
    byType: { knowledge: 1, assumption: 0, inference: 1, observation: 0 },
    avgConfidence: 0.45,
  });

  await req('POST', `/swarms/${sid}/kill`, lead.token, {});
  const killed = await alphaSocket.waitFor('killed', (m) => m.type === 'swarm_killed');
  t.match(killed, { swarmId: sid, dismissed: [], deleted: false });
  await betaSocket.sync();
  t.same(
    betaSocket.received.filter((m) => /^(swarm_|blackboard_|credits:)/.test(String(m.type))),
    [],
    'another team hears none of it',
  );
});

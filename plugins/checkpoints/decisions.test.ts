/**
 * Accept and reject: by the recipient or a lead, with a note, once (409 with a code after, also for
 * two at once); a rejected checkpoint leaves the pending list for good; the events reach the team's
 * sockets only and carry no text.
 */
import t from 'tap';
import {
  type Agent,
  as,
  callTool,
  registerTeam,
  startCoordination,
  TestSocket,
  toolJson,
  toolText,
} from '../../test/kit/index.js';
import type { TestLike } from '../../test/kit/index.js';

async function fleetWithTeam(t: TestLike) {
  const fleet = await startCoordination(t, { plugins: { auth: true, checkpoints: true } });
  const alpha = await registerTeam(fleet, 'alpha', ['ann', 'bob', 'cy']);
  const [ann, bob, cy] = alpha.workers as [Agent, Agent, Agent];
  const leave = async (from: Agent, to: string, goal = 'Finish the parser') =>
    (await as(fleet, from, 'POST', '/checkpoints', { toHandle: to, goal, now: 'half way' })).body;
  return { fleet, lead: alpha.lead, ann, bob, cy, leave };
}

t.test('accept: the recipient, with a note; the seed answer plus the checkpoint; then 409', async (t) => {
  const { fleet, ann, bob, leave } = await fleetWithTeam(t);
  const created = await leave(ann, 'bob');

  const byAuthor = await as(fleet, ann, 'POST', `/checkpoints/${created.id}/accept`, {});
  t.equal(byAuthor.status, 403, 'the author is not the recipient');
  t.same(byAuthor.body, {
    error: "Only the recipient 'bob' can accept this checkpoint",
    code: 'CHECKPOINTS_NOT_RECIPIENT',
  });

  const before = Date.now();
  const accepted = await as(fleet, bob, 'POST', `/checkpoints/${created.id}/accept`, { note: 'Taking it from here' });
  t.equal(accepted.status, 200);
  t.match(accepted.body, {
    success: true,
    id: created.id,
    checkpoint: { id: created.id, status: 'accepted', outcome: 'Taking it from here', decidedBy: 'bob' },
  });
  const { acceptedAt, decidedAt } = accepted.body.checkpoint;
  t.ok(acceptedAt >= before && acceptedAt === decidedAt, 'acceptedAt is set, in ms');
  t.same((await as(fleet, bob, 'GET', `/checkpoints/${created.id}`)).body, accepted.body.checkpoint, 'stored');

  for (const path of ['accept', 'reject']) {
    const again = await as(fleet, bob, 'POST', `/checkpoints/${created.id}/${path}`, {});
    t.equal(again.status, 409, `${path} after accept: 409`);
    t.same(again.body, {
      error: 'Checkpoint already processed',
      code: 'CHECKPOINTS_ALREADY_PROCESSED',
      id: created.id,
      status: 'accepted',
    });
  }
  const viaTool = await callTool(fleet, bob, 'checkpoint_accept', { checkpoint_id: created.id });
  t.ok(viaTool.isError);
  t.match(toolText(viaTool), /^CHECKPOINTS_ALREADY_PROCESSED: Checkpoint already processed .*"status":"accepted"/);
});

t.test('reject: rejected for good (never pending again), acceptedAt stays null, the note kept', async (t) => {
  const { fleet, ann, bob, leave } = await fleetWithTeam(t);
  const created = await leave(ann, 'bob');
  const rejected = toolJson(
    await callTool(fleet, bob, 'checkpoint_reject', { checkpoint_id: created.id, note: 'Not my area' }),
  );
  t.match(rejected, {
    success: true,
    id: created.id,
    checkpoint: { status: 'rejected', outcome: 'Not my area', acceptedAt: null, decidedBy: 'bob', decidedAt: Number },
  });
  t.same((await as(fleet, bob, 'GET', '/checkpoints/list/bob?status=pending')).body, [], 'no longer pending');
  const accept = await as(fleet, bob, 'POST', `/checkpoints/${created.id}/accept`, {});
  t.equal(accept.status, 409);
  t.match(accept.body, { code: 'CHECKPOINTS_ALREADY_PROCESSED', status: 'rejected' });
  const another = await leave(ann, 'bob');
  const byAnn = await as(fleet, ann, 'POST', `/checkpoints/${another.id}/reject`, {});
  t.same(byAnn.body.error, "Only the recipient 'bob' can reject this checkpoint", "the seed's message");
});

t.test('a lead decides for its team; a teammate that is neither party cannot', async (t) => {
  const { fleet, lead, ann, cy, leave } = await fleetWithTeam(t);
  const forLater = await leave(ann, 'not-spawned-yet');
  const byCy = await as(fleet, cy, 'POST', `/checkpoints/${forLater.id}/accept`, {});
  t.equal(byCy.status, 403);
  t.match(byCy.body, { code: 'CHECKPOINTS_NOT_RECIPIENT' });
  const byLead = await as(fleet, lead, 'POST', `/checkpoints/${forLater.id}/accept`, { note: 'For the new worker' });
  t.equal(byLead.status, 200);
  t.match(byLead.body.checkpoint, { status: 'accepted', decidedBy: 'lead-alpha', toHandle: 'not-spawned-yet' });

  const self = await leave(ann, 'ann', 'My own next session');
  const mine = await as(fleet, ann, 'POST', `/checkpoints/${self.id}/accept`, {});
  t.equal(mine.status, 200, 'a checkpoint to yourself is yours to accept');
});

t.test('another team: 404 for accept and reject, nothing changes', async (t) => {
  const { fleet, ann, bob, leave } = await fleetWithTeam(t);
  const beta = await registerTeam(fleet, 'beta', ['bob']);
  const created = await leave(ann, 'bob');
  for (const outsider of [beta.lead, beta.workers[0]!])
    for (const path of ['accept', 'reject']) {
      const answer = await as(fleet, outsider, 'POST', `/checkpoints/${created.id}/${path}`, {});
      t.equal(answer.status, 404, `${outsider.handle} of beta ${path}s: 404`);
      t.match(answer.body, { code: 'CHECKPOINTS_NOT_FOUND' });
    }
  t.match((await as(fleet, bob, 'GET', `/checkpoints/${created.id}`)).body, { status: 'pending', decidedBy: null });
});

t.test('two decisions at once: exactly one wins, the other is 409', async (t) => {
  const { fleet, lead, ann, bob, leave } = await fleetWithTeam(t);
  for (let round = 0; round < 5; round++) {
    const created = await leave(ann, 'bob');
    const answers = await Promise.all([
      as(fleet, bob, 'POST', `/checkpoints/${created.id}/accept`, {}),
      as(fleet, lead, 'POST', `/checkpoints/${created.id}/reject`, {}),
      as(fleet, bob, 'POST', `/checkpoints/${created.id}/accept`, {}),
    ]);
    const statuses = answers.map((a) => a.status).sort();
    t.same(statuses, [200, 409, 409], `round ${round}: one winner`);
    const winner = answers.find((a) => a.status === 200)!;
    const stored = (await as(fleet, bob, 'GET', `/checkpoints/${created.id}`)).body;
    t.equal(stored.status, winner.body.checkpoint.status, 'the stored status is the winner’s');
  }
});

t.test("events: the team's sockets hear created, accepted, rejected, without the text; others nothing", async (t) => {
  const { fleet, lead, ann, bob, cy, leave } = await fleetWithTeam(t);
  const beta = await registerTeam(fleet, 'beta', ['bo']);
  const cySocket = await TestSocket.as(t, fleet, cy);
  const leadSocket = await TestSocket.as(t, fleet, lead);
  const outsiders = [await TestSocket.as(t, fleet, beta.lead), await TestSocket.as(t, fleet, beta.workers[0]!)];
  const anonymous = await TestSocket.open(t, fleet);
  const ofCheckpoints = (messages: Record<string, any>[]) => messages.filter((m) => /^checkpoint_/.test(m.type));

  const first = await leave(ann, 'bob', 'SECRET-GOAL-1');
  const second = await leave(ann, 'bob', 'SECRET-GOAL-2');
  await as(fleet, bob, 'POST', `/checkpoints/${first.id}/accept`, { note: 'SECRET-NOTE' });
  await as(fleet, bob, 'POST', `/checkpoints/${second.id}/reject`, {});
  await as(fleet, bob, 'POST', `/checkpoints/${second.id}/reject`, {});

  for (const socket of [cySocket, leadSocket]) {
    const got = ofCheckpoints(await socket.sync());
    t.match(got, [
      {
        type: 'checkpoint_created',
        checkpoint: { id: first.id, fromHandle: 'ann', toHandle: 'bob', status: 'pending' },
      },
      { type: 'checkpoint_created', checkpoint: { id: second.id } },
      { type: 'checkpoint_accepted', checkpoint: { id: first.id, status: 'accepted', decidedBy: 'bob' } },
      { type: 'checkpoint_rejected', checkpoint: { id: second.id, status: 'rejected', decidedBy: 'bob' } },
    ]);
    t.equal(got.length, 4, 'a refused decision sends nothing');
    t.notMatch(JSON.stringify(got), /SECRET/, 'no goal, no note: the text is for the parties and leads');
  }
  for (const socket of [...outsiders, anonymous])
    t.same(ofCheckpoints(await socket.sync()), [], 'another team or no token: nothing');
});

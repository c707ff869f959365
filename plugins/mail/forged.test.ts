/**
 * Forged markers and senders: a caller cannot set the metadata keys the fleet writes itself
 * (isBroadcast, toHandle, taskId, type), so no message passes for a broadcast, a forwarded DM or
 * a task assignment; and a lead signs mail and handoffs only for agents of its team that exist.
 */
import t from 'tap';
import { type Agent, as, registerTeam, startCoordination } from '../../test/kit/index.js';

t.test('the fleet’s own metadata keys are refused with a 400 naming metadata; nothing is stored', async (t) => {
  const fleet = await startCoordination(t);
  const alpha = await registerTeam(fleet, 'alpha', ['ann', 'bob']);
  const [ann, bob] = alpha.workers as [Agent, Agent];
  const dm = (await as(fleet, ann, 'POST', '/chats', { uid1: ann.uid, uid2: bob.uid })).body.chatId as string;

  const forged: Record<string, unknown>[] = [
    { isBroadcast: true },
    { toHandle: 'bob' },
    { taskId: 'abc', type: 'task_assignment' },
    { type: 'task_assignment' },
    { note: 'fine', isBroadcast: false },
  ];
  for (const metadata of forged) {
    const key = Object.keys(metadata).find((k) => k !== 'note');
    const posted = await as(fleet, ann, 'POST', `/chats/${dm}/messages`, { text: 'look', metadata });
    t.equal(posted.status, 400, `${JSON.stringify(metadata)}: 400`);
    t.same(posted.body, {
      error: `metadata: "${key}" is set by the fleet, not by callers`,
      code: 'FLEET_INVALID_INPUT',
      field: 'metadata',
    });
  }
  const broadcast = await as(fleet, alpha.lead, 'POST', '/teams/alpha/broadcast', {
    text: 'hi',
    metadata: { isBroadcast: false },
  });
  t.match(broadcast, { status: 400, body: { field: 'metadata' } }, 'a broadcast cannot unmark itself either');
  t.same((await as(fleet, ann, 'GET', `/chats/${dm}/messages`)).body, [], 'nothing was stored');

  const allowed = await as(fleet, ann, 'POST', `/chats/${dm}/messages`, {
    text: 'look',
    metadata: { priority: 'high', nested: { type: 'ok inside', toHandle: 'only top-level keys are the fleet’s' } },
  });
  t.equal(allowed.status, 200, JSON.stringify(allowed.body));
  t.same(allowed.body.metadata, {
    priority: 'high',
    nested: { type: 'ok inside', toHandle: 'only top-level keys are the fleet’s' },
  });

  const real = await as(fleet, alpha.lead, 'POST', '/teams/alpha/broadcast', { text: 'real', metadata: { a: 1 } });
  t.same(real.body.metadata, { a: 1, isBroadcast: true }, 'the fleet still marks its own broadcasts');
});

t.test('a lead names only existing agents of its team as the sender of mail and handoffs', async (t) => {
  const fleet = await startCoordination(t);
  const alpha = await registerTeam(fleet, 'alpha', ['ann', 'bob']);
  await registerTeam(fleet, 'beta', ['bo']);
  const [ann, bob] = alpha.workers as [Agent, Agent];

  for (const from of ['ghost', 'bo', 'lead-beta']) {
    const mail = await as(fleet, alpha.lead, 'POST', '/mail', { from, to: 'bob', body: 'do it' });
    t.same(
      mail,
      { ...mail, status: 404, body: { error: 'Sender not found', code: 'MAIL_SENDER_NOT_FOUND', field: 'from' } },
      `mail from ${from}`,
    );
    const handoff = await as(fleet, alpha.lead, 'POST', '/handoffs', { from, to: 'bob', context: { x: 1 } });
    t.match(handoff, { status: 404, body: { code: 'MAIL_SENDER_NOT_FOUND', field: 'from' } }, `handoff from ${from}`);
  }
  t.same((await as(fleet, bob, 'GET', '/mail/bob')).body, [], 'no mail was stored');
  t.equal((await as(fleet, bob, 'GET', '/handoffs/bob')).status, 200);
  t.same((await as(fleet, bob, 'GET', '/handoffs/bob')).body, [], 'no handoff was stored');

  const onBehalf = await as(fleet, alpha.lead, 'POST', '/mail', { from: 'ann', to: 'bob', body: 'from ann' });
  t.equal(onBehalf.status, 200, 'a lead may still send as an agent of its team');
  t.equal(onBehalf.body.fromHandle, 'ann');
  const own = await as(fleet, ann, 'POST', '/handoffs', { to: 'bob', context: { y: 2 } });
  t.equal(own.status, 200, 'an agent sending as itself needs no lookup');
  const asOther = await as(fleet, ann, 'POST', '/mail', { from: 'bob', to: 'bob', body: 'x' });
  t.equal(asOther.status, 403, 'a worker still cannot sign for another agent');
});

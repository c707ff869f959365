import t from 'tap';
import {
  type Agent,
  as,
  callTool,
  registerTeam,
  startCoordination,
  teamChatId,
  TestSocket,
} from '../../test/kit/index.js';

const ofType = (messages: Record<string, any>[], ...types: string[]) => messages.filter((m) => types.includes(m.type));

t.test('subscribe: members of a chat only; new_message reaches the chat subscribers and no one else', async (t) => {
  const fleet = await startCoordination(t);
  const alpha = await registerTeam(fleet, 'alpha', ['ann', 'bob', 'cy']);
  const beta = await registerTeam(fleet, 'beta', ['bo']);
  const [ann, bob, cy] = alpha.workers as [Agent, Agent, Agent];
  const dm = (await as(fleet, ann, 'POST', '/chats', { uid1: ann.uid, uid2: bob.uid })).body.chatId as string;

  const annSocket = await TestSocket.as(t, fleet, ann);
  const bobSocket = await TestSocket.as(t, fleet, bob);
  const bobIdle = await TestSocket.as(t, fleet, bob);
  const cySocket = await TestSocket.as(t, fleet, cy);
  const boSocket = await TestSocket.as(t, fleet, beta.workers[0]!);
  const anonymous = await TestSocket.open(t, fleet);

  t.same(await annSocket.subscribe(dm), { type: 'subscribed', chatId: dm });
  t.same(await bobSocket.subscribe(dm), { type: 'subscribed', chatId: dm });
  const refused = await cySocket.subscribe(dm);
  t.same(
    refused,
    { type: 'error', message: `chatId: no chat ${dm} that you belong to` },
    'a teammate outside the DM is refused',
  );
  t.equal((await boSocket.subscribe(dm)).type, 'error', 'an agent of another team is refused');
  t.match((await anonymous.subscribe(dm)).message, /^Authentication required/, 'an unauthenticated socket is refused');
  t.equal((await annSocket.subscribe('0123456789abcdef')).type, 'error', 'a chat that does not exist');

  const posted = await as(fleet, ann, 'POST', `/chats/${dm}/messages`, { text: 'hello bob', metadata: { k: 1 } });
  const [event] = ofType(await bobSocket.sync(), 'new_message');
  t.ok(event, 'bob, subscribed, gets new_message');
  t.match(event, { type: 'new_message', chatId: dm, handle: 'ann', message: posted.body });
  t.type(event?.seq, 'number', 'with its sequence number');
  t.equal(ofType(await annSocket.sync(), 'new_message').length, 1, 'the sender, subscribed, gets it too');
  for (const [name, socket] of [
    ['bob, not subscribed on this socket', bobIdle],
    ['cy', cySocket],
    ['bo of beta', boSocket],
    ['an unauthenticated socket', anonymous],
  ] as const) {
    const got = await socket.sync();
    t.same(ofType(got, 'new_message', 'broadcast'), [], `${name}: no chat event`);
    t.notMatch(JSON.stringify(got), 'hello bob', `${name}: never the text`);
  }

  await callTool(fleet, bob, 'team_send', { handle: 'ann', message: 'via the tool' });
  const viaTool = ofType(await annSocket.sync(), 'new_message');
  t.match(
    viaTool,
    [{ chatId: dm, handle: 'bob', message: { text: 'via the tool' } }],
    'team_send posts to the same DM, with the same event',
  );

  t.equal(ofType(await bobSocket.sync(), 'new_message').length, 1, 'and the sender, subscribed');
  t.same(await bobSocket.ask({ type: 'unsubscribe', chatId: dm }), { type: 'unsubscribed', chatId: dm });
  await as(fleet, ann, 'POST', `/chats/${dm}/messages`, { text: 'after unsubscribe' });
  t.same(ofType(await bobSocket.sync(), 'new_message'), [], 'unsubscribed: no more events');
  t.equal(ofType(await annSocket.sync(), 'new_message').length, 1, 'the other subscriber still gets them');
});

t.test('broadcast goes to the team chat subscribers only; another team cannot follow it', async (t) => {
  const fleet = await startCoordination(t);
  const alpha = await registerTeam(fleet, 'alpha', ['ann', 'bob']);
  const beta = await registerTeam(fleet, 'beta', ['bo']);
  const [ann, bob] = alpha.workers as [Agent, Agent];
  const chat = teamChatId('alpha');
  await as(fleet, alpha.lead, 'POST', '/teams/alpha/broadcast', { text: 'first' });

  const annSocket = await TestSocket.as(t, fleet, ann);
  const bobIdle = await TestSocket.as(t, fleet, bob);
  const boSocket = await TestSocket.as(t, fleet, beta.workers[0]!);
  const betaLead = await TestSocket.as(t, fleet, beta.lead);
  t.same(
    await annSocket.subscribe(chat),
    { type: 'subscribed', chatId: chat },
    'every member of the team may follow its chat',
  );
  t.equal((await boSocket.subscribe(chat)).type, 'error', "beta's worker may not follow alpha's team chat");
  t.equal((await betaLead.subscribe(chat)).type, 'error', "nor beta's lead");

  const sent = await as(fleet, alpha.lead, 'POST', '/teams/alpha/broadcast', { text: 'all hands' });
  const [event] = ofType(await annSocket.sync(), 'broadcast');
  t.match(event, {
    type: 'broadcast',
    chatId: chat,
    handle: 'lead-alpha',
    message: { id: sent.body.id, text: 'all hands', metadata: { isBroadcast: true } },
  });
  t.same(ofType(await annSocket.sync(), 'new_message'), [], 'a broadcast is not also a new_message');
  for (const [name, socket] of [
    ['bob, not subscribed', bobIdle],
    ['bo', boSocket],
    ['beta lead', betaLead],
  ] as const) {
    const got = await socket.sync();
    t.same(ofType(got, 'broadcast', 'new_message'), [], `${name}: nothing`);
    t.notMatch(JSON.stringify(got), 'all hands');
  }

  await callTool(fleet, alpha.lead, 'team_broadcast', { message: 'via the tool' });
  t.match(
    ofType(await annSocket.sync(), 'broadcast'),
    [{ chatId: chat, message: { text: 'via the tool' } }],
    'team_broadcast sends the same event',
  );

  const betaChat = teamChatId('beta');
  await as(fleet, beta.lead, 'POST', '/teams/beta/broadcast', { text: 'beta only' });
  t.same(await boSocket.subscribe(betaChat), { type: 'subscribed', chatId: betaChat });
  t.equal((await annSocket.subscribe(betaChat)).type, 'error', "alpha may not follow beta's chat");
  await as(fleet, beta.lead, 'POST', '/teams/beta/broadcast', { text: 'beta again' });
  t.equal(ofType(await boSocket.sync(), 'broadcast').length, 1);
  t.same(ofType(await annSocket.sync(), 'broadcast'), [], 'alpha hears nothing of beta');
});

import t from 'tap';
import { WebSocket } from 'ws';
import { secondStart, startFleet } from '../kit/index.js';
import { type Message, vouchingChats, WsClient } from '../kit/index.js';

/** The shared client, with the auth message this suite sends most. */
class TestSocket extends WsClient {
  async authenticate(token: string): Promise<Message> {
    return this.ask({ type: 'auth', token });
  }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 100));

t.test('ping answers pong before and after auth', async (t) => {
  const fleet = await startFleet(t);
  const socket = await TestSocket.open(t, fleet);
  t.same(await socket.ask({ type: 'ping' }), { type: 'pong' });
  const agent = await fleet.register('alice', 'alpha');
  t.equal((await socket.authenticate(agent.token)).type, 'authenticated');
  t.same(await socket.ask({ type: 'ping' }), { type: 'pong' });
});

t.test('auth: a good token is authenticated with its uid, anything else is an error', async (t) => {
  const fleet = await startFleet(t);
  const agent = await fleet.register('alice', 'alpha');
  const socket = await TestSocket.open(t, fleet);

  const early = await socket.ask({ type: 'subscribe', chatId: 'c1' });
  t.equal(early.type, 'error', 'subscribe before auth');
  t.match(early.message, /^Authentication required/);

  t.same(await socket.authenticate('garbage'), { type: 'error', message: 'Invalid token' });
  t.same(await socket.ask({ type: 'auth' }), { type: 'error', message: 'Invalid token' }, 'no token at all');
  t.same(
    await socket.ask({ type: 'auth', token: 42 }),
    { type: 'error', message: 'Invalid token' },
    'a token that is not a string',
  );
  t.same(
    await socket.authenticate(fleet.adminKey),
    { type: 'error', message: 'Invalid token' },
    'the admin key is not an agent token',
  );
  t.match(
    (await socket.ask({ type: 'subscribe', chatId: 'c1' })).message,
    /^Authentication required/,
    'failed auths authenticate nothing',
  );

  const ok = await socket.authenticate(agent.token);
  t.match(ok, { type: 'authenticated', uid: agent.uid });
});

t.test('auth with an expired token says so', async (t) => {
  const fleet = await startFleet(t, { config: { auth: { jwtExpiresIn: '1s' } } });
  await secondStart();
  const agent = await fleet.register('alice', 'alpha');
  const socket = await TestSocket.open(t, fleet);
  let answer = await socket.authenticate(agent.token);
  t.equal(answer.type, 'authenticated', 'accepted while fresh');
  const deadline = Date.now() + 5000;
  while (answer.type === 'authenticated' && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    answer = await socket.authenticate(agent.token);
  }
  t.same(answer, { type: 'error', message: 'Token expired' });
});

t.test('events reach authenticated sockets of their team only', async (t) => {
  const fleet = await startFleet(t);
  const alice = await fleet.register('alice', 'alpha');
  const boss = await fleet.register('boss', 'alpha', 'team-lead');
  const bob = await fleet.register('bob', 'beta');

  const alpha1 = await TestSocket.open(t, fleet);
  const alpha2 = await TestSocket.open(t, fleet);
  const beta = await TestSocket.open(t, fleet);
  const anonymous = await TestSocket.open(t, fleet);
  const failed = await TestSocket.open(t, fleet);
  t.equal((await alpha1.authenticate(alice.token)).type, 'authenticated');
  t.equal((await alpha2.authenticate(boss.token)).type, 'authenticated');
  t.equal((await beta.authenticate(bob.token)).type, 'authenticated');
  t.equal((await failed.authenticate('forged')).type, 'error');

  const published = fleet.kernel.spine.publish({
    topic: 'team.alpha.tasks',
    type: 'task_updated',
    team: 'alpha',
    data: { taskId: 't-1', status: 'resolved' },
  });
  for (const [name, socket] of [
    ['alpha1', alpha1],
    ['alpha2', alpha2],
  ] as const) {
    t.same(
      await socket.next(),
      { taskId: 't-1', status: 'resolved', type: 'task_updated', seq: published.seq, ts: published.ts },
      `${name} receives the event`,
    );
  }

  // Positive control: beta's own event arrives, so had alpha's event been sent to beta it would be ahead of it.
  const control = fleet.kernel.spine.publish({
    topic: 'team.beta.tasks',
    type: 'task_updated',
    team: 'beta',
    data: { taskId: 'b-1' },
  });
  const betaFirst = await beta.next();
  t.equal(betaFirst.seq, control.seq, "beta gets its own event, and alpha's was not ahead of it");
  t.same(await anonymous.sync(), [], 'an anonymous socket got nothing');
  t.same(await failed.sync(), [], 'a socket whose auth failed got nothing');
  await settle();
  t.same(await beta.sync(), [], 'beta got nothing more');

  const alphaControl = fleet.kernel.spine.publish({
    topic: 'team.alpha.tasks',
    type: 'task_updated',
    team: 'alpha',
    data: { taskId: 't-2' },
  });
  t.equal((await alpha1.next()).seq, alphaControl.seq, "alpha never saw beta's event");
  t.equal((await alpha2.next()).seq, alphaControl.seq);
  t.same(await anonymous.sync(), []);
});

t.test('chat subscriptions need a plugin to vouch for membership', async (t) => {
  const fleet = await startFleet(t);
  const alice = await fleet.register('alice', 'alpha');
  const socket = await TestSocket.open(t, fleet);
  await socket.authenticate(alice.token);
  const refused = await socket.ask({ type: 'subscribe', chatId: 'c1' });
  t.equal(refused.type, 'error', 'no plugin vouches, so no subscription');
  t.match(refused.message, /^chatId: /);
  fleet.kernel.spine.publish({
    topic: 'team.alpha.chat.c1',
    type: 'new_message',
    team: 'alpha',
    data: { text: 'secret' },
  });
  t.same(await socket.sync(), [], 'and no chat event');
});

t.test("a vouched chat subscription receives that chat's events until unsubscribed", async (t) => {
  const fleet = await startFleet(t, {
    plugins: { auth: true, metrics: true, chats: true },
    extraPlugins: [vouchingChats],
  });
  const alice = await fleet.register('alice', 'alpha');
  const carol = await fleet.register('carol', 'alpha');
  const bob = await fleet.register('bob', 'beta');
  const subscriber = await TestSocket.open(t, fleet);
  const teammate = await TestSocket.open(t, fleet);
  const outsider = await TestSocket.open(t, fleet);
  await subscriber.authenticate(alice.token);
  await teammate.authenticate(carol.token);
  await outsider.authenticate(bob.token);

  t.same(await subscriber.ask({ type: 'subscribe', chatId: 'c1' }), { type: 'subscribed', chatId: 'c1' });
  t.equal(
    (await subscriber.ask({ type: 'subscribe', chatId: 'c2' })).type,
    'error',
    'a chat the plugin does not vouch for',
  );
  t.equal((await outsider.ask({ type: 'subscribe', chatId: 'c1' })).type, 'error', 'another team is refused');
  t.match((await subscriber.ask({ type: 'subscribe', chatId: '../etc' })).message, /^chatId: /, 'a malformed chat id');
  t.match(
    (await subscriber.ask({ type: 'subscribe' })).message,
    /^chatId( or \w+)*: is required$/,
    'no chat id (nor any other guarded key: policy has one)',
  );

  const message = fleet.kernel.spine.publish({
    topic: 'team.alpha.chat.c1',
    type: 'new_message',
    team: 'alpha',
    data: { text: 'hi' },
  });
  t.match(await subscriber.next(), { type: 'new_message', text: 'hi', seq: message.seq });
  t.same(await teammate.sync(), [], 'a teammate not subscribed to the chat gets nothing');
  t.same(await outsider.sync(), [], 'another team gets nothing');

  t.same(await subscriber.ask({ type: 'unsubscribe', chatId: 'c1' }), { type: 'unsubscribed', chatId: 'c1' });
  fleet.kernel.spine.publish({
    topic: 'team.alpha.chat.c1',
    type: 'new_message',
    team: 'alpha',
    data: { text: 'after' },
  });
  t.same(await subscriber.sync(), [], 'nothing after unsubscribing');
});

t.test('malformed messages are answered with an error and the socket stays usable', async (t) => {
  const fleet = await startFleet(t);
  const socket = await TestSocket.open(t, fleet);
  for (const [name, raw] of [
    ['invalid JSON', '{"type": "ping"'],
    ['a JSON number', '42'],
    ['JSON null', 'null'],
    ['a JSON array', '[{"type":"ping"}]'],
  ] as const) {
    const answer = await socket.ask(raw);
    t.equal(answer.type, 'error', name);
    t.type(answer.message, 'string');
  }
  socket.ws.send(Buffer.from([0xde, 0xad]), { binary: true });
  t.equal((await socket.next()).type, 'error', 'a binary frame');
  const unknown = await socket.ask({ type: 'teleport' });
  t.equal(unknown.type, 'error');
  t.match(unknown.message, /teleport/);
  t.same(await socket.ask({ type: 'ping' }), { type: 'pong' }, 'still answering');
});

t.test('only /ws upgrades', async (t) => {
  const fleet = await startFleet(t);
  const ws = new WebSocket(`${fleet.url.replace(/^http/, 'ws')}/not-ws`);
  t.teardown(() => ws.terminate());
  const outcome = await new Promise<string>((resolve) => {
    ws.once('open', () => resolve('open'));
    ws.once('unexpected-response', (_req, res) => resolve(`status ${res.statusCode}`));
    ws.once('error', (error) => resolve(`error ${error.message}`));
  });
  t.match(outcome, /404/);
});

t.test('the server pings and ends sockets that stop answering', async (t) => {
  const fleet = await startFleet(t, { config: { server: { wsPingSeconds: 1 } } });
  const agent = await fleet.register('alice', 'alpha');
  const lively = await TestSocket.open(t, fleet);
  const silent = await TestSocket.open(t, fleet, { autoPong: false });
  await lively.authenticate(agent.token);
  await silent.authenticate(agent.token);
  let pings = 0;
  silent.ws.on('ping', () => pings++);

  const closed = new Promise<number>((resolve) => silent.ws.once('close', (code) => resolve(code)));
  const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 6000).unref());
  const code = await Promise.race([closed, timeout]);
  t.not(code, 'timeout', 'the silent socket is ended');
  t.ok(pings >= 1, 'after being pinged');
  t.equal(lively.ws.readyState, WebSocket.OPEN, 'a socket that answers pings stays open');
  t.same(await lively.ask({ type: 'ping' }), { type: 'pong' });
});

t.test('messages are handled in the order sent: auth then subscribe without waiting', async (t) => {
  const fleet = await startFleet(t, {
    plugins: { auth: true, metrics: true, chats: true },
    extraPlugins: [vouchingChats],
  });
  const alice = await fleet.register('alice', 'alpha');
  const socket = await TestSocket.open(t, fleet);
  // A client typically sends both on open, before the auth answer arrives.
  socket.send({ type: 'auth', token: alice.token });
  socket.send({ type: 'subscribe', chatId: 'c1' });
  socket.send({ type: 'ping' });
  t.match(await socket.next(), { type: 'authenticated', uid: alice.uid });
  t.same(await socket.next(), { type: 'subscribed', chatId: 'c1' });
  t.same(await socket.next(), { type: 'pong' });
});

t.test('auth with batch: true gathers what arrives together into one batch frame, in order', async (t) => {
  const fleet = await startFleet(t);
  const alice = await fleet.register('alice', 'alpha');
  const socket = await TestSocket.open(t, fleet);
  t.same(await socket.ask({ type: 'auth', token: alice.token, batch: 'yes' }), {
    type: 'error',
    message: 'batch: must be true or false',
  });
  const answered = await socket.ask({ type: 'auth', token: alice.token, batch: true });
  t.match(answered, { type: 'batch', messages: [{ type: 'authenticated', uid: alice.uid }] }, 'the answer, batched');

  const seqs = [1, 2, 3].map(
    (n) =>
      fleet.kernel.spine.publish({ topic: 'team.alpha.tasks', type: 'task_updated', team: 'alpha', data: { n } }).seq,
  );
  const frame = await socket.next();
  t.equal(frame.type, 'batch', 'one frame');
  t.same(
    (frame.messages as Message[]).map((m) => [m.seq, m.n]),
    seqs.map((seq, i) => [seq, i + 1]),
    'every event, in publish order',
  );
  t.same(await socket.ask({ type: 'ping' }), { type: 'batch', messages: [{ type: 'pong' }] }, 'then the pong alone');

  // A socket that did not ask keeps one frame per message.
  const plain = await TestSocket.open(t, fleet);
  t.equal((await plain.authenticate(alice.token)).type, 'authenticated');
  const one = fleet.kernel.spine.publish({ topic: 'team.alpha.tasks', type: 'task_updated', team: 'alpha', data: {} });
  t.match(await plain.next(), { type: 'task_updated', seq: one.seq });
});

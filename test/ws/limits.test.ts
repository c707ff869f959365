/**
 * The `/ws` limits (`server.websocket`), against a real fleet with small limits so each test is
 * quick: the auth timeout, the total and per-agent socket caps, slow consumers, the message rate,
 * and `disconnect(uid)`.
 */
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import t from 'tap';
import { WebSocket } from 'ws';
import type { FleetConfigInput } from '../../core/config/types.js';
import { WebSocketHub } from '../../core/ws/hub.js';
import {
  type Message,
  sleep,
  startFleet,
  type TestFleet,
  type TestLike,
  vouchingChats,
  waitFor,
  WsClient,
} from '../kit/index.js';

type Limits = NonNullable<NonNullable<FleetConfigInput['server']>['websocket']>;

const withLimits = (websocket: Limits) => ({ config: { server: { websocket } } });

/** How a socket was closed, as its client saw it; listen before the close can happen. */
function closeOf(ws: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
}

/** The promise's value, or an error naming `what` after `ms`: no test waits unbounded. */
async function within<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** The answer to an upgrade the server refuses (rejects if it accepts one). */
function refusal(t: TestLike, url: string): Promise<{ status: number | undefined; body: string }> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws`);
  // Terminating a refused handshake emits an error; nothing is left to report it to.
  ws.on('error', () => undefined);
  t.teardown(() => ws.terminate());
  return new Promise((resolve, reject) => {
    ws.once('open', () => reject(new Error('the upgrade was accepted')));
    ws.once('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      response.on('end', () => resolve({ status: response.statusCode, body }));
    });
  });
}

function publish(fleet: TestFleet, data: Record<string, unknown>): number {
  return fleet.kernel.spine.publish({ topic: 'team.alpha.tasks', type: 'task_updated', team: 'alpha', data }).seq;
}

/** The underlying TCP socket of a client: pausing it stops reading, as a stalled client does. */
const tcpOf = (client: WsClient) => (client.ws as unknown as { _socket: Socket })._socket;

t.test('a socket that has not authenticated by authTimeoutSeconds is closed with 4401', async (t) => {
  const fleet = await startFleet(t, withLimits({ authTimeoutSeconds: 1 }));
  const alice = await fleet.register('alice', 'alpha');
  const started = Date.now();
  const anonymous = await WsClient.open(t, fleet);
  const closed = closeOf(anonymous.ws);
  const member = await WsClient.as(t, fleet, alice);
  t.same(await anonymous.ask({ type: 'ping' }), { type: 'pong' }, 'open and answering before the timeout');

  const { code, reason } = await within(4000, closed, 'close of the anonymous socket');
  t.equal(code, 4401);
  t.match(reason, /^authentication timeout/);
  t.ok(Date.now() - started >= 950, `not before the timeout (${Date.now() - started} ms)`);

  // The member's own timer has fired by now too: authenticating cleared it.
  await sleep(300);
  t.equal(member.ws.readyState, WebSocket.OPEN, 'an authenticated socket stays open');
  const seq = publish(fleet, { n: 1 });
  t.match(await member.next(), { type: 'task_updated', seq }, 'and keeps receiving events');
});

t.test('maxSockets: the upgrade past the total is answered 503 until a socket leaves', async (t) => {
  const fleet = await startFleet(t, withLimits({ maxSockets: 3 }));
  const alice = await fleet.register('alice', 'alpha');
  const first = await WsClient.as(t, fleet, alice);
  await WsClient.open(t, fleet);
  await WsClient.open(t, fleet);

  const refused = await within(3000, refusal(t, fleet.url), 'answer to the fourth upgrade');
  t.equal(refused.status, 503);
  t.match(JSON.parse(refused.body), { error: /^Server full: at most 3 WebSocket connections/ });
  t.same(await first.sync(), [], 'the sockets already open keep working');

  await first.close();
  const again = await waitFor('a free slot', () => WsClient.as(t, fleet, alice).catch(() => undefined), 3000);
  t.same(await again.ask({ type: 'ping' }), { type: 'pong' }, 'a socket that left frees its slot');
});

t.test('maxSocketsPerAgent: the socket that authenticates past the cap gets an error and 4429', async (t) => {
  const fleet = await startFleet(t, withLimits({ maxSocketsPerAgent: 2 }));
  const alice = await fleet.register('alice', 'alpha');
  const bob = await fleet.register('bob', 'alpha');
  const [one, two] = [await WsClient.as(t, fleet, alice), await WsClient.as(t, fleet, alice)];
  t.equal((await two.ask({ type: 'auth', token: alice.token })).type, 'authenticated', 're-auth does not count twice');

  const third = await WsClient.open(t, fleet);
  const closed = closeOf(third.ws);
  const answer = await third.ask({ type: 'auth', token: alice.token });
  t.equal(answer.type, 'error');
  t.match(answer.message, /^Too many sockets: alice already has 2 open \(at most 2\)/);
  t.match(await within(3000, closed, 'close of the third socket'), { code: 4429 });

  const other = await WsClient.as(t, fleet, bob);
  const seq = publish(fleet, { n: 1 });
  for (const socket of [one, two, other]) t.match(await socket.next(), { seq }, 'the others keep their events');

  await one.close();
  const fourth = await WsClient.as(t, fleet, alice);
  t.same(await fourth.ask({ type: 'ping' }), { type: 'pong' }, 'a closed socket leaves room for another');
});

t.test('a slow consumer is closed with 4008 past maxBufferedBytes; others get events promptly', async (t) => {
  const fleet = await startFleet(t, withLimits({ maxBufferedBytes: 256 * 1024 }));
  const alice = await fleet.register('alice', 'alpha');
  const bob = await fleet.register('bob', 'alpha');
  const slow = await WsClient.as(t, fleet, alice);
  const normal = await WsClient.as(t, fleet, bob);
  const closed = closeOf(slow.ws);
  tcpOf(slow).pause();

  // 64 KiB events, one at a time: the normal socket reads each before the next, the slow one none.
  // The kernel's socket buffers take some megabytes first; 600 events (38 MiB) is well past them.
  const big = 'x'.repeat(64 * 1024);
  const published: number[] = [];
  let slowest = 0;
  const slowConsumerLogged = () => fleet.logs.some((line) => line.includes('closing slow websocket consumer'));
  while (published.length < 600 && !slowConsumerLogged()) {
    const sentAt = performance.now();
    published.push(publish(fleet, { n: published.length, big }));
    const got = await normal.next();
    slowest = Math.max(slowest, performance.now() - sentAt);
    if (got.seq !== published.at(-1)) t.fail(`normal socket got seq ${got.seq}, not ${published.at(-1)}`);
  }
  t.ok(slowConsumerLogged(), `the server closed the slow consumer (after ${published.length} events)`);
  t.ok(slowest < 1000, `the normal socket received every event promptly (slowest ${Math.round(slowest)} ms)`);
  const after = publish(fleet, { n: 'after' });
  t.match(await normal.next(), { seq: after }, 'and keeps receiving after the slow one was dropped');

  // Reading again, the slow client gets what was buffered, in order, then the close.
  tcpOf(slow).resume();
  const { code, reason } = await within(5000, closed, 'close of the slow socket');
  t.equal(code, 4008);
  t.equal(reason, 'slow consumer: reconnect and resume with since');
  const seen = slow.received.filter((message) => message.type === 'task_updated').map((message) => message.seq);
  t.ok(seen.length > 0 && seen.length < published.length, `it got a prefix (${seen.length} events)`);
  t.same(seen, published.slice(0, seen.length), 'a gap-free prefix of what was published');

  // It resumes by cursor. A resume past the limit ends the same way, each attempt further along.
  const missed: number[] = [];
  let cursor = seen.at(-1)!;
  let resumed: Message | undefined;
  for (let attempt = 0; attempt < 20 && !resumed; attempt++) {
    const back = await WsClient.open(t, fleet);
    back.send({ type: 'auth', token: alice.token, since: cursor });
    for (;;) {
      let message: Message;
      try {
        message = await back.next(5000);
      } catch {
        break; // closed part-way (4008): the next attempt goes on from the cursor
      }
      if (message.type === 'task_updated') missed.push((cursor = message.seq));
      if (message.type === 'resumed') {
        resumed = message;
        break;
      }
    }
  }
  t.ok(resumed, 'the resume completes');
  t.same(missed, [...published.slice(seen.length), after], 'every missed event, once, in order');
});

t.test('messagesPerMinute: a flood gets one error and 4429; other sockets keep low latency', async (t) => {
  const fleet = await startFleet(t, {
    ...withLimits({ messagesPerMinute: 50 }),
    extraPlugins: [vouchingChats],
    plugins: { auth: true, chats: true },
  });
  const alice = await fleet.register('alice', 'alpha');
  const bob = await fleet.register('bob', 'alpha');
  const flooder = await WsClient.as(t, fleet, alice);
  const watcher = await WsClient.as(t, fleet, bob);
  const closed = closeOf(flooder.ws);
  // Within the allowance (its auth took one of the 50) every message is answered.
  for (let i = 0; i < 20; i++) t.same(await flooder.ask({ type: 'ping' }), { type: 'pong' });

  for (let i = 0; i < 5000; i++) flooder.send(i % 2 === 0 ? { type: 'subscribe', chatId: 'c1' } : { type: 'ping' });
  let slowest = 0;
  for (let n = 0; n < 20; n++) {
    const sentAt = performance.now();
    const seq = publish(fleet, { n });
    t.match(await watcher.next(), { seq });
    slowest = Math.max(slowest, performance.now() - sentAt);
    await sleep(10);
  }
  t.ok(slowest < 500, `the other socket's events stay prompt during the flood (slowest ${Math.round(slowest)} ms)`);

  const { code } = await within(5000, closed, 'close of the flooding socket');
  t.equal(code, 4429);
  const errors = flooder.received.filter((message) => message.type === 'error');
  t.same(errors, [{ type: 'error', message: 'Too many messages: at most 50 a minute' }], 'one error, once');
  const answers = flooder.received.filter((message) => message.type === 'pong' || message.type === 'subscribed');
  // 49 after its auth, and at most one more refilled (50 a minute) while the test ran.
  t.ok(answers.length <= 50, `no more than the allowance was answered (${answers.length})`);
  t.equal(watcher.ws.readyState, WebSocket.OPEN, 'the other socket stays open');
});

t.test('disconnect(uid) closes that agent’s sockets with 4401 and leaves the others open', async (t) => {
  // A hub of its own on the fleet's spine and tokens, so the test holds it: the fleet's hub is private.
  const fleet = await startFleet(t);
  const server = createServer();
  const hub = new WebSocketHub({
    server,
    spine: fleet.kernel.spine,
    tokens: fleet.kernel.tokens,
    log: fleet.kernel.log.child('ws-test'),
    pingSeconds: 30,
    guarded: [],
    limits: () => fleet.kernel.config.server.websocket,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    hub.close();
    server.closeAllConnections();
    server.close();
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const alice = await fleet.register('alice', 'alpha');
  const bob = await fleet.register('bob', 'alpha');
  const mine = [await WsClient.as(t, url, alice), await WsClient.as(t, url, alice)];
  const other = await WsClient.as(t, url, bob);
  const anonymous = await WsClient.open(t, url);
  const closes = mine.map((socket) => closeOf(socket.ws));

  t.equal(hub.disconnect(alice.uid, 'tokens revoked'), 2, 'both of its sockets');
  for (const closed of closes) t.same(await within(3000, closed, 'close'), { code: 4401, reason: 'tokens revoked' });
  t.equal(hub.disconnect(alice.uid, 'again'), 0, 'none left to close');

  const seq = publish(fleet, { n: 1 });
  t.match(await other.next(), { seq }, "another agent's socket keeps receiving events");
  t.same(await anonymous.ask({ type: 'ping' }), { type: 'pong' }, 'an unauthenticated socket stays open');

  // A reason longer than a close frame allows is cut to 123 bytes, not thrown on.
  const late = await WsClient.as(t, url, alice);
  const closed = closeOf(late.ws);
  t.equal(hub.disconnect(alice.uid, 'é'.repeat(100)), 1);
  t.same(await within(3000, closed, 'close'), { code: 4401, reason: 'é'.repeat(61) });
});

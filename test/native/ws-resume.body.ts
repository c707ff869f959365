/**
 * WebSocket resume against a real fleet, with the spine on whichever ringbus the loader chose.
 * Two test files run it: one as the process starts (native when built), one with FLEET_NATIVE=0.
 */
import type { Test } from 'tap';
import { startFleet, type TestFleet } from '../kit/index.js';
import { vouchingChats, WsClient } from '../kit/index.js';

function publish(fleet: TestFleet, team: string, kind: string, n: number): number {
  return fleet.kernel.spine.publish({ topic: `team.${team}.${kind}`, type: 'task_updated', team, data: { n } }).seq;
}

async function connect(t: Test, fleet: TestFleet, token: string): Promise<WsClient> {
  const client = await WsClient.open(t, fleet.url);
  const answer = await client.ask({ type: 'auth', token });
  if (answer.type !== 'authenticated') throw new Error(`auth failed: ${JSON.stringify(answer)}`);
  return client;
}

export function wsResumeSuite(t: Test, expected: 'native' | 'js'): void {
  t.test('/health says which implementations run', async (t) => {
    const fleet = await startFleet(t);
    const health = await fleet.request('GET', '/health', { token: fleet.adminKey });
    t.match(health.body.native, { ringbus: expected, logstream: expected });
    t.equal(fleet.kernel.spine.implementation, expected);
  });

  t.test('since delivers exactly the missed team events, in order, then live ones', async (t) => {
    const fleet = await startFleet(t, { extraPlugins: [vouchingChats], plugins: { auth: true, chats: true } });
    const alice = await fleet.register('alice', 'alpha');
    const first = await connect(t, fleet, alice.token);
    const seen = publish(fleet, 'alpha', 'tasks', 1);
    t.match(await first.next(), { type: 'task_updated', n: 1, seq: seen });
    await first.close();

    // While away: events of the team, another team, and a chat it does not follow.
    const missed = [publish(fleet, 'alpha', 'tasks', 2), publish(fleet, 'alpha', 'mail', 3)];
    publish(fleet, 'beta', 'tasks', 99);
    fleet.kernel.spine.publish({ topic: 'team.alpha.chat.c1', type: 'new_message', team: 'alpha', data: { n: 100 } });
    missed.push(publish(fleet, 'alpha', 'tasks', 4));

    const again = await connect(t, fleet, alice.token);
    again.send({ type: 'subscribe', since: seen });
    const replay = await again.until('resumed');
    t.same(
      replay.map((m) => [m.seq, m.n]),
      [...missed.map((seq, i) => [seq, [2, 3, 4][i]]), [undefined, undefined]],
      'the three alpha events, in seq order, then resumed',
    );
    t.match(replay.at(-1), { type: 'resumed', since: seen, count: 3 });
    const live = publish(fleet, 'alpha', 'tasks', 5);
    t.match(await again.next(), { n: 5, seq: live }, 'live delivery goes on');

    // With a chat: its missed events come too.
    const third = await connect(t, fleet, alice.token);
    third.send({ type: 'subscribe', chatId: 'c1', since: seen });
    const withChat = await third.until('resumed');
    t.same(
      withChat.map((m) => m.n ?? m.type),
      ['subscribed', 2, 3, 100, 4, 5, 'resumed'],
    );
  });

  t.test('auth with since resumes in the same step: missed events, then live ones, in order', async (t) => {
    const fleet = await startFleet(t);
    const alice = await fleet.register('alice', 'alpha');
    const cursor = publish(fleet, 'alpha', 'tasks', 1);
    publish(fleet, 'alpha', 'tasks', 2);
    publish(fleet, 'beta', 'tasks', 99);
    publish(fleet, 'alpha', 'mail', 3);
    const client = await WsClient.open(t, fleet.url);
    client.send({ type: 'auth', token: alice.token, since: cursor });
    // Published while the token is being checked: it must come after the replay, not before.
    publish(fleet, 'alpha', 'tasks', 4);
    const got = await client.until('resumed');
    t.same(
      got.map((m) => m.n ?? m.type),
      ['authenticated', 2, 3, 4, 'resumed'],
    );
    publish(fleet, 'alpha', 'tasks', 5);
    t.match(await client.next(), { n: 5 });
    t.same(await client.ask({ type: 'auth', token: alice.token, since: -3 }), {
      type: 'error',
      message: 'since: must be a non-negative integer',
    });
  });

  t.test('events that reached the socket live are not replayed', async (t) => {
    const fleet = await startFleet(t);
    const alice = await fleet.register('alice', 'alpha');
    const cursor = publish(fleet, 'alpha', 'tasks', 1);
    const missed = publish(fleet, 'alpha', 'tasks', 2);
    const client = await connect(t, fleet, alice.token);
    const live = publish(fleet, 'alpha', 'tasks', 3);
    t.match(await client.next(), { n: 3, seq: live });
    client.send({ type: 'subscribe', since: cursor });
    t.same(
      (await client.until('resumed')).map((m) => m.seq ?? m.type),
      [missed, 'resumed'],
    );
  });

  t.test('evicted events mean resync_required', async (t) => {
    const fleet = await startFleet(t, { config: { events: { ringCapacity: 3 } } });
    const alice = await fleet.register('alice', 'alpha');
    const cursor = publish(fleet, 'alpha', 'tasks', 0);
    for (let i = 1; i <= 5; i++) publish(fleet, 'alpha', 'tasks', i);
    const client = await connect(t, fleet, alice.token);
    t.match(await client.ask({ type: 'subscribe', since: cursor }), {
      type: 'resync_required',
      since: cursor,
      lastSeq: cursor + 5,
    });
    client.send({ type: 'subscribe', since: cursor + 2 });
    t.same(
      (await client.until('resumed')).map((m) => m.n ?? m.type),
      [3, 4, 5, 'resumed'],
      'a cursor inside the ring resumes',
    );
    t.match(
      await client.ask({ type: 'subscribe', since: cursor + 500 }),
      { type: 'resync_required' },
      'a cursor from before a restart',
    );
  });

  t.test('since is checked and needs auth', async (t) => {
    const fleet = await startFleet(t);
    const alice = await fleet.register('alice', 'alpha');
    const client = await WsClient.open(t, fleet.url);
    t.match(await client.ask({ type: 'subscribe', since: 0 }), { type: 'error', message: /^Authentication required/ });
    await client.ask({ type: 'auth', token: alice.token });
    for (const since of [-1, 1.5, '3', null])
      t.same(await client.ask({ type: 'subscribe', since }), {
        type: 'error',
        message: 'since: must be a non-negative integer',
      });
    t.match(await client.ask({ type: 'subscribe', since: 0 }), { type: 'resumed', count: 0 });
  });
}

import t, { type Test } from 'tap';
import type { BusEvent, RingBusConstructor, RingBusLike } from '../../core/native/ringbus-types.js';
import { BUS_ERRORS } from '../../core/native/ringbus-types.js';
import { bothOrNone, rng, ringbusImpls } from './impls.js';

const seqs = (events: BusEvent[]): number[] => events.map((e) => e.seq);
const payloads = (events: BusEvent[]): unknown[] => events.map((e) => e.payload);

function suite(t: Test, RingBus: RingBusConstructor): void {
  t.test('seq is monotonic across topics and starts at 1', async (t) => {
    const bus = new RingBus();
    t.equal(bus.lastSeq, 0);
    t.equal(bus.publish('team.a.x', 'one'), 1);
    t.equal(bus.publish('team.b.x', 'two'), 2);
    t.equal(bus.publish('team.a.x', 'three', 3), 3);
    t.equal(bus.lastSeq, 3);
    const { events } = bus.read('*', 0);
    t.same(seqs(events), [1, 2, 3]);
    t.same(events[2], { seq: 3, topic: 'team.a.x', ts: events[2]!.ts, priority: 3, payload: 'three' });
    t.equal(events[0]!.priority, 1, 'default priority is 1 (normal)');
    t.ok(Math.abs(events[0]!.ts - Date.now()) < 5000, 'ts is epoch milliseconds');
  });

  t.test('patterns, windows and cursors', async (t) => {
    const bus = new RingBus();
    const topics = ['team.alpha.tasks', 'team.alpha.chat.c1', 'team.alphabet.tasks', 'team.beta.tasks', 'team.alpha'];
    for (let i = 0; i < 20; i++) bus.publish(topics[i % topics.length]!, `e${i + 1}`);
    t.same(
      seqs(bus.read('team.alpha.*', 0).events),
      [1, 2, 6, 7, 11, 12, 16, 17],
      'prefix pattern, not team.alphabet nor team.alpha itself',
    );
    t.same(seqs(bus.read('team.alpha', 0).events), [5, 10, 15, 20], 'exact topic');
    t.same(seqs(bus.read('team.gamma.*', 0).events), [], 'no such topic');
    const page = bus.read('team.alpha.*', 2, 3);
    t.same(seqs(page.events), [6, 7, 11]);
    t.equal(page.next, 11, 'next is the last seq of the window');
    t.same(seqs(bus.read('team.alpha.*', page.next, 3).events), [12, 16, 17]);
    const empty = bus.read('*', 20);
    t.same(empty, { events: [], resyncRequired: false, next: 20 }, 'a caught-up cursor reads nothing and stays');
    t.same(bus.read('*', 5, 0), { events: [], resyncRequired: false, next: 5 }, 'max 0 reads nothing');
    t.equal(bus.read('*', 0).events.length, 20, 'default max is large enough');
    t.equal(bus.read('*', 0, 1000).events.length, 20);
  });

  t.test('eviction and the resync boundary', async (t) => {
    const bus = new RingBus({ capacity: 3 });
    for (let i = 1; i <= 5; i++) bus.publish('t', `p${i}`);
    // The ring keeps 3, 4, 5: seqs 1 and 2 are gone.
    let r = bus.read('t', 0);
    t.same(seqs(r.events), [3, 4, 5]);
    t.equal(r.resyncRequired, true, 'a cursor before the evicted events must resync');
    t.equal(bus.read('t', 1).resyncRequired, true, 'seq 2 was evicted after cursor 1');
    r = bus.read('t', 2);
    t.equal(r.resyncRequired, false, 'cursor 2 lost nothing');
    t.same(seqs(r.events), [3, 4, 5]);
    t.equal(bus.read('t', 5).resyncRequired, false);
    t.equal(bus.read('t', 6).resyncRequired, true, 'a cursor ahead of the bus comes from an earlier life: resync');
    t.equal(bus.read('other', 0).resyncRequired, false, 'eviction on one topic does not concern another');
    t.equal(bus.read('*', 0).resyncRequired, true, 'a pattern covering it does');
    const stats = bus.stats();
    t.same(stats, {
      published: 5,
      lastSeq: 5,
      topics: 1,
      evictions: 2,
      subscribers: 0,
      perTopic: [{ topic: 't', count: 3, published: 5, evictions: 2, lastSeq: 5 }],
    });
  });

  t.test('a long synchronous burst, strings and buffers mixed', async (t) => {
    const bus = new RingBus({ capacity: 5000 });
    const buffer = Buffer.from('b');
    for (let i = 1; i <= 3000; i++) {
      const last = bus.publish(`team.t${i % 7}.x`, i % 500 === 0 ? buffer : `p${i} ünï 😀`, i % 4);
      if (last !== i) return t.fail(`publish ${i} got seq ${last}`);
    }
    t.equal(
      bus.publishBatch(
        Array.from({ length: 2000 }, (_, i) => ({ topic: 'team.t1.x', payload: i === 1000 ? buffer : `b${i}` })),
      ),
      5000,
    );
    t.equal(bus.lastSeq, 5000);
    const read = bus.read('team.*', 0, 10_000);
    t.same(
      seqs(read.events),
      Array.from({ length: 5000 }, (_, i) => i + 1),
      'every seq, in order',
    );
    t.equal(read.events[499]!.payload, buffer);
    t.equal(read.events[1]!.payload, 'p2 ünï 😀');
    t.equal(read.events[4000]!.payload, buffer);
    t.equal(read.events[4999]!.payload, 'b1999');
    t.equal(bus.stats().published, 5000);
  });

  t.test('capacity 1 keeps only the newest event', async (t) => {
    const bus = new RingBus({ capacity: 1 });
    bus.publish('t', 'a');
    bus.publish('t', 'b');
    t.same(payloads(bus.read('t', 0).events), ['b']);
    t.equal(bus.read('t', 1).resyncRequired, false);
  });

  t.test('highest first orders the same window by priority', async (t) => {
    const bus = new RingBus();
    bus.publish('t', 'low', 0);
    bus.publish('t', 'critical', 3);
    bus.publish('t', 'normal', 1);
    bus.publish('t', 'critical-2', 3);
    const r = bus.read('t', 0, 3, { highestFirst: true });
    t.same(payloads(r.events), ['critical', 'normal', 'low'], 'window is seqs 1–3, reordered');
    t.equal(r.next, 3, 'the cursor stays exact');
    t.same(
      payloads(bus.read('t', 0, 10, { highestFirst: true }).events),
      ['critical', 'critical-2', 'normal', 'low'],
      'ties keep seq order',
    );
  });

  t.test('batch publish is contiguous and all or none', async (t) => {
    const bus = new RingBus();
    bus.publish('a', 'x');
    const last = bus.publishBatch([
      { topic: 'a', payload: 'b1' },
      { topic: 'b', payload: 'b2', priority: 2 },
      { topic: 'a', payload: 'b3' },
    ]);
    t.equal(last, 4);
    t.same(seqs(bus.read('*', 1).events), [2, 3, 4]);
    t.equal(bus.publishBatch([]), 4, 'an empty batch publishes nothing');
    t.throws(
      () =>
        bus.publishBatch([
          { topic: 'a', payload: 'ok' },
          { topic: 'a', payload: 'bad', priority: 9 },
        ]),
      { message: BUS_ERRORS.priority },
    );
    t.throws(
      () =>
        bus.publishBatch([
          { topic: 'a', payload: 'ok' },
          { topic: 'a*', payload: 'bad' },
        ]),
      { message: BUS_ERRORS.topic },
    );
    t.equal(bus.lastSeq, 4, 'a rejected batch published nothing');
  });

  t.test('bad input is rejected with the same messages', async (t) => {
    const bus = new RingBus();
    t.throws(() => bus.publish('t', 'x', 4), { message: BUS_ERRORS.priority });
    t.throws(() => bus.publish('t', 'x', 1.5), { message: BUS_ERRORS.priority });
    t.throws(() => bus.publish('t', 'x', -1), { message: BUS_ERRORS.priority });
    t.throws(() => bus.publish('', 'x'), { message: BUS_ERRORS.topic });
    t.throws(() => bus.publish('team.*', 'x'), { message: BUS_ERRORS.topic });
    t.throws(() => bus.publish('t', 42 as unknown as string), { message: 'payload: must be a string or a Uint8Array' });
    t.throws(() => bus.publish('t', { a: 1 } as unknown as string), {
      message: 'payload: must be a string or a Uint8Array',
    });
    t.throws(() => bus.read('t', -1), { message: BUS_ERRORS.since });
    t.throws(() => bus.read('t', 0.5), { message: BUS_ERRORS.since });
    t.throws(() => bus.read('t', Number.NaN), { message: BUS_ERRORS.since });
    t.throws(() => bus.read('t', 0, -2), { message: BUS_ERRORS.max });
    for (const pattern of ['team.*.x', 'team*', '', '**'])
      t.throws(() => bus.read(pattern, 0), { message: BUS_ERRORS.pattern }, pattern);
    t.throws(() => bus.poll(999), { message: BUS_ERRORS.subscriber });
    t.throws(() => new RingBus({ capacity: 0 }), { message: 'capacity: must be a positive integer' });
    t.equal(bus.lastSeq, 0, 'nothing was published');
  });

  t.test('buffers cross by reference, strings by value', async (t) => {
    const bus = new RingBus();
    const buffer = Buffer.from('bytes');
    const array = new Uint8Array([1, 2, 3]);
    bus.publish('t', buffer);
    bus.publish('t', array);
    bus.publish('t', 'héllo 😀');
    const { events } = bus.read('t', 0);
    t.equal(events[0]!.payload, buffer, 'the same Buffer comes back');
    t.equal(events[1]!.payload, array, 'the same Uint8Array comes back');
    t.equal(events[2]!.payload, 'héllo 😀');
    bus.publish('t', 'lone \ud800 surrogate');
    t.equal(
      bus.read('t', 3).events[0]!.payload,
      'lone \ufffd surrogate',
      'strings are kept as UTF-8: a lone surrogate becomes U+FFFD',
    );
  });

  t.test('subscribers keep their own cursor', async (t) => {
    const bus = new RingBus();
    bus.publish('team.a.x', 'before');
    const fromNow = bus.subscribe('team.a.*');
    const fromStart = bus.subscribe('team.a.*', 0);
    bus.publish('team.a.x', 'one');
    bus.publish('team.b.x', 'other team');
    bus.publish('team.a.y', 'two');
    t.same(payloads(bus.poll(fromNow, 1).events), ['one']);
    t.same(payloads(bus.poll(fromNow).events), ['two']);
    t.same(bus.poll(fromNow).events, [], 'caught up');
    t.same(payloads(bus.poll(fromStart).events), ['before', 'one', 'two']);
    t.equal(bus.stats().subscribers, 2);
    t.equal(bus.unsubscribe(fromNow), true);
    t.equal(bus.unsubscribe(fromNow), false);
    t.equal(bus.stats().subscribers, 1);
  });

  t.test('too many topics drops the stalest whole', async (t) => {
    const bus = new RingBus({ maxTopics: 2 });
    bus.publish('a', '1');
    bus.publish('b', '2');
    bus.publish('a', '3');
    bus.publish('c', '4');
    const stats = bus.stats();
    t.same(
      stats.perTopic.map((p) => p.topic),
      ['a', 'c'],
      'b was published to least recently',
    );
    t.equal(stats.evictions, 1);
    t.equal(bus.read('*', 0).resyncRequired, true, 'a reader behind the dropped topic must resync');
    t.equal(bus.read('*', 2).resyncRequired, false);
  });

  t.test('concurrent publishers from several async tasks', async (t) => {
    const bus = new RingBus({ capacity: 10_000 });
    const tasks = 8;
    const each = 500;
    const mine = new Map<number, number[]>();
    await Promise.all(
      Array.from({ length: tasks }, async (_, task) => {
        const got: number[] = [];
        mine.set(task, got);
        for (let i = 0; i < each; i++) {
          got.push(bus.publish(`team.t${task % 3}.work`, `${task}:${i}`, i % 4));
          // Yield in different ways so the tasks interleave.
          if (i % 3 === 0) await Promise.resolve();
          else if (i % 3 === 1) await new Promise((resolve) => setImmediate(resolve));
        }
      }),
    );
    const all = [...mine.values()].flat().sort((a, b) => a - b);
    t.same(
      all,
      Array.from({ length: tasks * each }, (_, i) => i + 1),
      'every seq handed out once, none skipped',
    );
    for (const [task, got] of mine)
      t.ok(
        got.every((seq, i) => i === 0 || seq > got[i - 1]!),
        `task ${task} saw its seqs increase`,
      );
    let cursor = 0;
    const read: BusEvent[] = [];
    for (;;) {
      const page = bus.read('team.*', cursor, 777);
      if (page.events.length === 0) break;
      read.push(...page.events);
      cursor = page.next;
    }
    t.same(seqs(read), all, 'paging through reads every event once, in order');
    for (const [task, got] of mine) {
      const texts = read.filter((e) => got.includes(e.seq)).map((e) => e.payload);
      t.same(
        texts,
        Array.from({ length: each }, (_, i) => `${task}:${i}`),
        `task ${task}'s payloads in its order`,
      );
    }
  });
}

for (const impl of ringbusImpls()) {
  t.test(`ringbus (${impl.name})`, { skip: impl.skip ?? false }, async (t) => {
    if (impl.loadError) return t.fail(`the native binary exists but did not load: ${impl.loadError.message}`);
    suite(t, impl.value!);
  });
}

/** Random operations on both implementations must give the same results. */
const both = bothOrNone(ringbusImpls());
t.test(
  'native and fallback agree on random operations',
  { skip: both ? false : 'the native ringbus is not loaded' },
  async (t) => {
    if (!both) return;
    for (let seed = 1; seed <= 30; seed++) {
      const random = rng(seed);
      const options = { capacity: 1 + Math.floor(random() * 8), maxTopics: 1 + Math.floor(random() * 6) };
      const buses: RingBusLike[] = [new both.native(options), new both.js(options)];
      const topics = ['team.a.x', 'team.a.y', 'team.b.x', 'team.a.chat.1', 'z', 'team.ab.x'];
      const patterns = ['*', 'team.a.*', 'team.*', 'z', 'team.b.x', 'none.*'];
      const run = (bus: RingBusLike, op: (bus: RingBusLike) => unknown): unknown => {
        try {
          return strip(op(bus));
        } catch (error) {
          return `throws ${(error as Error).message}`;
        }
      };
      const subs: number[][] = [[], []];
      const results: unknown[][] = [[], []];
      for (let step = 0; step < 300; step++) {
        const choice = random();
        const topic = topics[Math.floor(random() * topics.length)]!;
        const pattern = patterns[Math.floor(random() * patterns.length)]!;
        const since = Math.floor(random() * 40);
        const max = Math.floor(random() * 6);
        const priority = Math.floor(random() * 5);
        const highestFirst = random() < 0.3;
        let op: (bus: RingBusLike, side: number) => unknown;
        if (choice < 0.5) op = (bus) => bus.publish(topic, `p${step}`, priority);
        else if (choice < 0.6)
          op = (bus) =>
            bus.publishBatch([
              { topic, payload: `b${step}` },
              { topic: topics[step % topics.length]!, payload: `c${step}`, priority },
            ]);
        else if (choice < 0.85) op = (bus) => bus.read(pattern, since, max, { highestFirst });
        else if (choice < 0.9) op = (bus, side) => subs[side]!.push(bus.subscribe(pattern, since));
        else if (choice < 0.97)
          op = (bus, side) => bus.poll(subs[side]![step % Math.max(subs[side]!.length, 1)] ?? 1, max, { highestFirst });
        else op = (bus) => bus.stats();
        buses.forEach((bus, side) => results[side]!.push(run(bus, (x) => op(x, side))));
      }
      t.same(results[0], results[1], `seed ${seed}: 300 operations give the same results`);
    }
  },
);

/** Drop the publish time, which differs between two buses by a millisecond now and then. */
function strip(value: unknown): unknown {
  if (value && typeof value === 'object' && 'events' in value) {
    const r = value as { events: BusEvent[] };
    return { ...r, events: r.events.map(({ ts: _ts, ...rest }) => rest) };
  }
  return value;
}

import t from 'tap';
import { bothOrNone, logstreamImpls, ringbusImpls } from './impls.js';

/** Values a careless or hostile caller might pass anywhere. */
const WEIRD: unknown[] = [
  undefined,
  null,
  0,
  -1,
  1.5,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  2 ** 53,
  2 ** 64,
  '',
  '*',
  'team.*',
  'x'.repeat(100_000),
  '\ud800',
  {},
  [],
  [{ topic: 5, payload: {} }],
  { highestFirst: 'yes' },
  Symbol('s'),
  () => 1,
  new Uint8Array(0),
  Buffer.alloc(3),
  new Float64Array(2),
  10n,
];

/** Call `fn` with every combination of weird values for `arity` arguments (capped); it may throw, never crash. */
function hammer(call: (...args: unknown[]) => unknown, arity: number): number {
  let calls = 0;
  const pick = (i: number, n: number) => WEIRD[Math.floor(i / WEIRD.length ** n) % WEIRD.length];
  const total = Math.min(WEIRD.length ** arity, 4000);
  for (let i = 0; i < total; i++) {
    try {
      call(...Array.from({ length: arity }, (_, n) => pick(i, n)));
    } catch {
      // Throwing is the right answer to most of these.
    }
    calls++;
  }
  return calls;
}

for (const impl of ringbusImpls()) {
  t.test(`ringbus takes any argument without crashing (${impl.name})`, { skip: impl.skip ?? false }, async (t) => {
    if (impl.loadError) return t.fail(`the native binary exists but did not load: ${impl.loadError.message}`);
    const RingBus = impl.value!;
    hammer((options) => new RingBus(options as never), 1);
    const bus = new RingBus({ capacity: 4 });
    bus.publish('team.a.x', 'kept');
    let calls = 0;
    calls += hammer((a, b, c) => bus.publish(a as never, b as never, c as never), 3);
    calls += hammer((a) => bus.publishBatch(a as never), 1);
    calls += hammer((a, b, c, d) => bus.read(a as never, b as never, c as never, d as never), 3);
    calls += hammer((a, b) => bus.subscribe(a as never, b as never), 2);
    calls += hammer((a, b, c) => bus.poll(a as never, b as never, c as never), 3);
    calls += hammer((a) => bus.unsubscribe(a as never), 1);
    t.ok(calls > 1000, `${calls} calls survived`);
    const after = bus.read('*', 0, 10_000);
    t.ok(after.events.length <= bus.stats().topics * 4, 'the bus is still bounded and readable');
    t.equal(bus.lastSeq, bus.stats().lastSeq);
  });
}

for (const impl of logstreamImpls()) {
  t.test(`logstream takes any argument without crashing (${impl.name})`, { skip: impl.skip ?? false }, async (t) => {
    if (impl.loadError) return t.fail(`the native binary exists but did not load: ${impl.loadError.message}`);
    const LogStream = impl.value!;
    hammer((options) => new LogStream(options as never), 1);
    hammer((mode, maxLineBytes) => new LogStream({ mode, maxLineBytes } as never), 2);
    const s = new LogStream({ maxLineBytes: 64 });
    let calls = 0;
    calls += hammer((chunk) => s.feed(chunk as never), 1);
    calls += hammer((a, b) => s.tail(a as never, b as never), 2);
    t.ok(calls > 100, `${calls} calls survived`);
    t.ok(s.stats().bufferedBytes <= 64);
    t.match(s.feed('\n{"type":"result","is_error":false}\n'), [{ kind: 'unparsed' }, { kind: 'result' }]);
  });
}

t.test(
  'both sides agree on which hostile calls throw',
  { skip: bothOrNone(ringbusImpls()) ? false : 'the native ringbus is not loaded' },
  async (t) => {
    const both = bothOrNone(ringbusImpls())!;
    const outcome = (RingBus: typeof both.js, args: unknown[]) => {
      const bus = new RingBus({ capacity: 2 });
      try {
        bus.publish(args[0] as never, args[1] as never, args[2] as never);
        return `ok ${bus.lastSeq}`;
      } catch {
        return 'throws';
      }
    };
    const differences: string[] = [];
    for (const a of WEIRD)
      for (const b of WEIRD.slice(9, 16))
        for (const c of [undefined, 0, 3, 4, 1.5, Number.NaN]) {
          const native = outcome(both.native, [a, b, c]);
          const js = outcome(both.js, [a, b, c]);
          if (native !== js)
            differences.push(
              `${String(a).slice(0, 20)} / ${String(b).slice(0, 20)} / ${String(c)}: native ${native}, js ${js}`,
            );
        }
    t.same(differences, [], 'publish accepts and refuses the same arguments');
  },
);

import { loadNativeCrate, type NativeLoad } from './native-binary.js';
import { checkPayload, checkTopic, invalid, priorityOf } from './ringbus-checks.js';
import type {
  BusBatchItem,
  BusEvent,
  BusPayload,
  BusReadOptions,
  BusReadResult,
  RingBusLike,
  RingBusOptions,
  RingBusStats,
} from './ringbus-types.js';

/** A read as the crate returns it: `numbers` holds seq, ts, priority, topic index per event. */
interface Columns {
  numbers: Float64Array;
  topics: string[];
  payloads: BusPayload[];
  resyncRequired: boolean;
  next: number;
}

/** The crate's raw class (`crates/ringbus/index.d.ts`). */
interface RingBusCore {
  publish(topic: string, payload: BusPayload, priority?: number): number;
  publishBatch(items: BusBatchItem[]): number;
  publishPacked(
    topics: string[],
    topicIndex: Uint32Array,
    priorities: Uint8Array,
    ts: Float64Array,
    joined: string,
    lengths: Uint32Array,
  ): number;
  read(pattern: string, since: number, max?: number, options?: BusReadOptions): Columns;
  subscribe(pattern: string, since?: number): number;
  poll(id: number, max?: number, options?: BusReadOptions): Columns;
  unsubscribe(id: number): boolean;
  readonly lastSeq: number;
  stats(): RingBusStats;
}

/** The crate as loaded (or why not), whatever FLEET_NATIVE says: the parity tests use it. */
export const nativeRingbus: NativeLoad<{ RingBusCore: new (options?: RingBusOptions) => RingBusCore }> =
  loadNativeCrate('ringbus');

/** Columns to event objects: V8 builds objects far faster than N-API calls do. */
function expand(columns: Columns): BusReadResult {
  const { numbers, topics, payloads } = columns;
  const events = new Array<BusEvent>(payloads.length);
  for (let i = 0, at = 0; i < payloads.length; i++, at += 4) {
    events[i] = {
      seq: numbers[at]!,
      topic: topics[numbers[at + 3]!]!,
      ts: numbers[at + 1]!,
      priority: numbers[at + 2]!,
      payload: payloads[i]!,
    };
  }
  return { events, resyncRequired: columns.resyncRequired, next: columns.next };
}

/** Pending string publishes past this many go across at once. */
const FLUSH_AT = 1024;

/**
 * The crate behind the RingBus contract. A call into the crate costs far more than a JS array push,
 * so string publishes are checked here, given their seq at once, and queued; the queue crosses in
 * one call (`publishPacked`) when it is full, at the end of the current job (a microtask), or
 * before anything reads the bus. Buffers cross one by one, by reference.
 */
export class NativeRingBus implements RingBusLike {
  readonly #core: RingBusCore;
  #lastSeq = 0;
  #topicSlots = new Map<string, number>();
  #topics: string[] = [];
  #topicIndex: number[] = [];
  #priorities: number[] = [];
  #ts: number[] = [];
  #payloads: string[] = [];
  #lengths: number[] = [];
  #flushQueued = false;
  readonly #flushLater = (): void => {
    this.#flushQueued = false;
    try {
      this.#flush();
    } catch (error) {
      // Nobody is on the stack to catch it here; a lost batch must not take the process down.
      process.emitWarning(`ringbus: a queued batch was not stored: ${(error as Error).message}`);
    }
  };

  constructor(options?: RingBusOptions) {
    const native = nativeRingbus.module;
    if (!native)
      throw new Error(
        `the ringbus crate is not loaded${nativeRingbus.error ? `: ${nativeRingbus.error.message}` : ''}`,
      );
    this.#core = new native.RingBusCore(options);
  }

  publish(topic: string, payload: BusPayload, priority?: number): number {
    // The crate's order of checks: argument types, then priority, then the topic's name.
    if (typeof topic !== 'string') throw invalid('topic: must be a string');
    const body = checkPayload(payload);
    const p = priorityOf(priority);
    const name = checkTopic(topic);
    if (typeof body !== 'string') {
      this.#flush();
      return (this.#lastSeq = this.#core.publish(name, body, p));
    }
    const seq = ++this.#lastSeq;
    this.#queue(name, body, p, Date.now());
    return seq;
  }

  publishBatch(items: BusBatchItem[]): number {
    if (!Array.isArray(items)) throw invalid('items: must be an array');
    const payloads = items.map((item) => checkPayload(item.payload));
    const priorities = items.map((item) => priorityOf(item.priority));
    const topics = items.map((item) => checkTopic(item.topic));
    const ts = Date.now();
    for (let i = 0; i < items.length; i++) {
      const body = payloads[i]!;
      if (typeof body === 'string') {
        this.#lastSeq++;
        this.#queue(topics[i]!, body, priorities[i]!, ts);
      } else {
        this.#flush();
        this.#lastSeq = this.#core.publish(topics[i]!, body, priorities[i]);
      }
    }
    return this.#lastSeq;
  }

  #queue(topic: string, payload: string, priority: number, ts: number): void {
    let slot = this.#topicSlots.get(topic);
    if (slot === undefined) {
      slot = this.#topics.push(topic) - 1;
      this.#topicSlots.set(topic, slot);
    }
    this.#topicIndex.push(slot);
    this.#priorities.push(priority);
    this.#ts.push(ts);
    this.#payloads.push(payload);
    this.#lengths.push(payload.length);
    if (this.#payloads.length >= FLUSH_AT) this.#flush();
    else if (!this.#flushQueued) {
      this.#flushQueued = true;
      queueMicrotask(this.#flushLater);
    }
  }

  #flush(): void {
    if (this.#payloads.length === 0) return;
    const topics = this.#topics;
    const topicIndex = Uint32Array.from(this.#topicIndex);
    const priorities = Uint8Array.from(this.#priorities);
    const ts = Float64Array.from(this.#ts);
    const joined = this.#payloads.join('');
    const lengths = Uint32Array.from(this.#lengths);
    this.#topicSlots = new Map();
    this.#topics = [];
    this.#topicIndex = [];
    this.#priorities = [];
    this.#ts = [];
    this.#payloads = [];
    this.#lengths = [];
    const last = this.#core.publishPacked(topics, topicIndex, priorities, ts, joined, lengths);
    // Checked here before queueing, the batch cannot be refused; seqs must match what was promised.
    if (last !== this.#lastSeq) {
      const expected = this.#lastSeq;
      this.#lastSeq = last;
      throw new Error(`ringbus: seq ${last} after a flush, ${expected} expected`);
    }
  }

  read(pattern: string, since: number, max?: number, options?: BusReadOptions): BusReadResult {
    this.#flush();
    return expand(this.#core.read(pattern, since, max, options));
  }

  subscribe(pattern: string, since?: number): number {
    this.#flush();
    return this.#core.subscribe(pattern, since);
  }

  poll(id: number, max?: number, options?: BusReadOptions): BusReadResult {
    this.#flush();
    return expand(this.#core.poll(id, max, options));
  }

  unsubscribe(id: number): boolean {
    return this.#core.unsubscribe(id);
  }

  get lastSeq(): number {
    return this.#lastSeq;
  }

  stats(): RingBusStats {
    this.#flush();
    return this.#core.stats();
  }
}

import { topicMatches } from '../events/types.js';
import {
  checkPattern,
  checkPayload,
  checkTopic,
  invalid,
  maxOf,
  positive,
  priorityOf,
  sinceOf,
} from './ringbus-checks.js';
import {
  BUS_ERRORS,
  type BusBatchItem,
  type BusPayload,
  type BusEvent,
  type BusReadOptions,
  type BusReadResult,
  type RingBusLike,
  type RingBusOptions,
  type RingBusStats,
} from './ringbus-types.js';

interface Entry {
  seq: number;
  ts: number;
  priority: number;
  payload: BusPayload;
}

/** One topic's ring: a fixed array used circularly, oldest first. */
class Ring {
  readonly slots: (Entry | undefined)[] = [];
  start = 0;
  size = 0;
  published = 0;
  evictions = 0;
  evictedMaxSeq = 0;
  lastSeq = 0;

  constructor(readonly capacity: number) {}

  push(entry: Entry): void {
    if (this.size === this.capacity) {
      this.evictedMaxSeq = this.slots[this.start]!.seq;
      this.slots[this.start] = entry;
      this.start = (this.start + 1) % this.capacity;
      this.evictions++;
    } else {
      this.slots[(this.start + this.size) % this.capacity] = entry;
      this.size++;
    }
    this.published++;
    this.lastSeq = entry.seq;
  }

  at(i: number): Entry {
    return this.slots[(this.start + i) % this.capacity]!;
  }

  /** Index of the first entry with seq > since (binary search: entries are in seq order). */
  firstAfter(since: number): number {
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.at(mid).seq <= since) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** The TypeScript ringbus: same contract and results as `crates/ringbus`. */
export class RingBusFallback implements RingBusLike {
  readonly #capacity: number;
  readonly #maxTopics: number;
  readonly #rings = new Map<string, Ring>();
  readonly #subscribers = new Map<number, { pattern: string; cursor: number }>();
  #seq = 0;
  #droppedEvictions = 0;
  #droppedMaxSeq = 0;
  #nextSubscriber = 1;

  constructor(options: RingBusOptions = {}) {
    this.#capacity = positive(options?.capacity, 10_000, 'capacity');
    this.#maxTopics = positive(options?.maxTopics, 10_000, 'maxTopics');
  }

  get lastSeq(): number {
    return this.#seq;
  }

  publish(topic: string, payload: BusPayload, priority?: number): number {
    // The crate's order of checks: argument types, then priority, then the topic's name.
    if (typeof topic !== 'string') throw invalid('topic: must be a string');
    const body = checkPayload(payload);
    const p = priorityOf(priority);
    return this.#append(checkTopic(topic), body, p, Date.now());
  }

  publishBatch(items: BusBatchItem[]): number {
    if (!Array.isArray(items)) throw invalid('items: must be an array');
    // In the crate's order: every payload (as the items convert), every priority, every topic.
    const payloads = items.map((item) => checkPayload(item.payload));
    const priorities = items.map((item) => priorityOf(item.priority));
    const checked = items.map((item, i) => ({
      topic: checkTopic(item.topic),
      payload: payloads[i]!,
      priority: priorities[i]!,
    }));
    const ts = Date.now();
    for (const item of checked) this.#append(item.topic, item.payload, item.priority, ts);
    return this.#seq;
  }

  #append(topic: string, payload: BusPayload, priority: number, ts: number): number {
    let ring = this.#rings.get(topic);
    if (!ring) {
      if (this.#rings.size >= this.#maxTopics) this.#dropStalestTopic();
      ring = new Ring(this.#capacity);
      this.#rings.set(topic, ring);
    }
    const seq = ++this.#seq;
    ring.push({ seq, ts, priority, payload });
    return seq;
  }

  #dropStalestTopic(): void {
    let stalest: [string, Ring] | undefined;
    for (const entry of this.#rings) if (!stalest || entry[1].lastSeq < stalest[1].lastSeq) stalest = entry;
    if (!stalest) return;
    this.#rings.delete(stalest[0]);
    this.#droppedEvictions += stalest[1].evictions + stalest[1].size;
    this.#droppedMaxSeq = Math.max(this.#droppedMaxSeq, stalest[1].lastSeq);
  }

  read(pattern: string, since: number, max?: number, options?: BusReadOptions): BusReadResult {
    return this.#read(checkPattern(pattern), sinceOf(since), maxOf(max), options?.highestFirst === true);
  }

  #read(pattern: string, since: number, max: number, highestFirst: boolean): BusReadResult {
    let resyncRequired = since > this.#seq || since < this.#droppedMaxSeq;
    const picked: { topic: string; entry: Entry }[] = [];
    const take = (topic: string, ring: Ring): void => {
      if (ring.evictedMaxSeq > since) resyncRequired = true;
      // Only a ring's first `max` can be among the first `max` overall.
      for (let i = ring.firstAfter(since), n = 0; i < ring.size && n < max; i++, n++)
        picked.push({ topic, entry: ring.at(i) });
    };
    if (pattern.endsWith('*')) {
      for (const [topic, ring] of this.#rings) if (topicMatches(pattern, topic)) take(topic, ring);
      picked.sort((a, b) => a.entry.seq - b.entry.seq);
    } else {
      const ring = this.#rings.get(pattern);
      if (ring) take(pattern, ring);
    }
    const window = picked.length > max ? picked.slice(0, max) : picked;
    const next = window.length > 0 ? window[window.length - 1]!.entry.seq : since;
    if (highestFirst) window.sort((a, b) => b.entry.priority - a.entry.priority || a.entry.seq - b.entry.seq);
    const events: BusEvent[] = window.map(({ topic, entry }) => ({
      seq: entry.seq,
      topic,
      ts: entry.ts,
      priority: entry.priority,
      payload: entry.payload,
    }));
    return { events, resyncRequired, next };
  }

  subscribe(pattern: string, since?: number): number {
    const cursor = since === undefined || since === null ? this.#seq : sinceOf(since);
    checkPattern(pattern);
    const id = this.#nextSubscriber;
    this.#nextSubscriber = this.#nextSubscriber >= 0xffffffff ? 1 : this.#nextSubscriber + 1;
    this.#subscribers.set(id, { pattern, cursor });
    return id;
  }

  poll(id: number, max?: number, options?: BusReadOptions): BusReadResult {
    const limit = maxOf(max);
    const subscriber = this.#subscribers.get(id);
    if (!subscriber) throw invalid(BUS_ERRORS.subscriber);
    const result = this.#read(subscriber.pattern, subscriber.cursor, limit, options?.highestFirst === true);
    subscriber.cursor = result.next;
    return result;
  }

  unsubscribe(id: number): boolean {
    return this.#subscribers.delete(id);
  }

  stats(): RingBusStats {
    const perTopic = [...this.#rings].map(([topic, ring]) => ({
      topic,
      count: ring.size,
      published: ring.published,
      evictions: ring.evictions,
      lastSeq: ring.lastSeq,
    }));
    // Byte order of the UTF-8 names, as the crate sorts them.
    perTopic.sort((a, b) => Buffer.compare(Buffer.from(a.topic), Buffer.from(b.topic)));
    const evictions = perTopic.reduce((sum, t) => sum + t.evictions, this.#droppedEvictions);
    return {
      published: this.#seq,
      lastSeq: this.#seq,
      topics: this.#rings.size,
      evictions,
      subscribers: this.#subscribers.size,
      perTopic,
    };
  }
}

import {
  type EventListener,
  type EventSpine,
  type FleetEvent,
  type PublishInput,
  type ReadResult,
  type SpineStats,
  topicMatches,
} from './types.js';

/** A fixed-capacity ring of one topic's events, oldest overwritten first. */
class TopicRing {
  readonly #slots: (FleetEvent | undefined)[];
  #start = 0;
  #size = 0;
  evictions = 0;

  constructor(capacity: number) {
    this.#slots = new Array(capacity);
  }

  push(event: FleetEvent): void {
    const capacity = this.#slots.length;
    if (this.#size === capacity) {
      this.#slots[this.#start] = event;
      this.#start = (this.#start + 1) % capacity;
      this.evictions++;
    } else {
      this.#slots[(this.#start + this.#size) % capacity] = event;
      this.#size++;
    }
  }

  /** Events with seq > since, oldest first. */
  after(since: number): { events: FleetEvent[] } {
    const capacity = this.#slots.length;
    const events: FleetEvent[] = [];
    for (let i = 0; i < this.#size; i++) {
      const event = this.#slots[(this.#start + i) % capacity]!;
      if (event.seq > since) events.push(event);
    }
    return { events };
  }

  /** The seq of the newest event this ring has evicted (0 if none): a reader behind it lost events. */
  evictedMaxSeq = 0;

  oldestSeq(): number | undefined {
    return this.#size > 0 ? this.#slots[this.#start]!.seq : undefined;
  }

  isFull(): boolean {
    return this.#size === this.#slots.length;
  }
}

/** The in-memory TypeScript event spine: a ring per topic, one sequence across all topics. */
export class MemorySpine implements EventSpine {
  readonly implementation = 'js' as const;
  readonly #capacity: number;
  readonly #rings = new Map<string, TopicRing>();
  readonly #listeners = new Set<{ pattern: string; listener: EventListener }>();
  #seq = 0;

  constructor(capacity = 10_000) {
    this.#capacity = capacity;
  }

  publish<D>(input: PublishInput<D>): FleetEvent<D> {
    const event: FleetEvent<D> = { seq: ++this.#seq, topic: input.topic, type: input.type, team: input.team, data: input.data, ts: Date.now() };
    let ring = this.#rings.get(input.topic);
    if (!ring) {
      ring = new TopicRing(this.#capacity);
      this.#rings.set(input.topic, ring);
    }
    if (ring.isFull()) ring.evictedMaxSeq = ring.oldestSeq()!;
    ring.push(event);
    for (const entry of this.#listeners) {
      if (!topicMatches(entry.pattern, event.topic)) continue;
      try {
        entry.listener(event);
      } catch {
        // A listener's failure must not stop delivery to the others or the publisher.
      }
    }
    return event;
  }

  read(pattern: string, since: number, max = 1000): ReadResult {
    const collected: FleetEvent[] = [];
    let resyncRequired = false;
    for (const [topic, ring] of this.#rings) {
      if (!topicMatches(pattern, topic)) continue;
      const { events } = ring.after(since);
      if (ring.evictedMaxSeq > since) resyncRequired = true;
      collected.push(...events);
    }
    collected.sort((a, b) => a.seq - b.seq);
    const events = collected.slice(0, max);
    const next = events.length > 0 ? events[events.length - 1]!.seq : Math.max(since, 0);
    return { events, resyncRequired, next };
  }

  subscribe(pattern: string, listener: EventListener): () => void {
    const entry = { pattern, listener };
    this.#listeners.add(entry);
    return () => {
      this.#listeners.delete(entry);
    };
  }

  stats(): SpineStats {
    let evictions = 0;
    for (const ring of this.#rings.values()) evictions += ring.evictions;
    return { published: this.#seq, lastSeq: this.#seq, topics: this.#rings.size, evictions, subscribers: this.#listeners.size };
  }
}

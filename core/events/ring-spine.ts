import { RingBus, ringbusImplementation } from '../native/ringbus.js';
import type { RingBusConstructor, RingBusLike } from '../native/ringbus-types.js';
import type { EventListener, EventSpine, FleetEvent, PublishInput, ReadResult, SpineStats } from './types.js';
import { topicMatches } from './types.js';

/** What the spine keeps in the ring: the event less what the bus itself records (seq, topic). */
interface StoredEvent {
  type: string;
  team: string;
  data: unknown;
  ts: number;
}

export interface RingSpineOptions {
  /** Events kept per topic. */
  capacity?: number;
  /** The ringbus to use and what it is; default the loader's choice (native unless FLEET_NATIVE=0). */
  bus?: { RingBus: RingBusConstructor; implementation: 'native' | 'js' };
}

/**
 * The event spine on the ringbus: the bus holds each event as a JSON string and gives it its seq;
 * listeners stay in TypeScript and are called synchronously on publish, so a WebSocket hub sees
 * events in seq order with no gap between a read and the live stream.
 */
export class RingSpine implements EventSpine {
  readonly implementation: 'native' | 'js';
  readonly #bus: RingBusLike;
  readonly #listeners = new Set<{ pattern: string; listener: EventListener }>();

  constructor(options: RingSpineOptions = {}) {
    const bus = options.bus ?? { RingBus, implementation: ringbusImplementation };
    this.implementation = bus.implementation;
    this.#bus = new bus.RingBus({ capacity: options.capacity ?? 10_000 });
  }

  publish<D>(input: PublishInput<D>): FleetEvent<D> {
    const ts = Date.now();
    const stored: StoredEvent = { type: input.type, team: input.team, data: input.data, ts };
    const seq = this.#bus.publish(input.topic, JSON.stringify(stored));
    const event: FleetEvent<D> = { seq, topic: input.topic, type: input.type, team: input.team, data: input.data, ts };
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
    const result = this.#bus.read(pattern, since, max);
    const events = result.events.map((entry): FleetEvent => {
      const stored = JSON.parse(entry.payload as string) as StoredEvent;
      return {
        seq: entry.seq,
        topic: entry.topic,
        type: stored.type,
        team: stored.team,
        data: stored.data,
        ts: stored.ts,
      };
    });
    return { events, resyncRequired: result.resyncRequired, next: result.next };
  }

  subscribe(pattern: string, listener: EventListener): () => void {
    const entry = { pattern, listener };
    this.#listeners.add(entry);
    return () => {
      this.#listeners.delete(entry);
    };
  }

  stats(): SpineStats {
    const stats = this.#bus.stats();
    return {
      published: stats.published,
      lastSeq: stats.lastSeq,
      topics: stats.topics,
      evictions: stats.evictions,
      subscribers: this.#listeners.size,
    };
  }
}

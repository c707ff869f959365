/** The ringbus contract, met by the native crate and by the TypeScript fallback alike. */

/** A payload crosses as is: strings are copied, Uint8Arrays are kept by reference. */
export type BusPayload = string | Uint8Array;

export interface BusEvent {
  /** Monotonic across the whole bus, starting at 1. */
  seq: number;
  topic: string;
  /** Milliseconds since the epoch when it was published. */
  ts: number;
  /** The seed's 0 low, 1 normal (default), 2 high, 3 critical. */
  priority: number;
  payload: BusPayload;
}

export interface BusReadResult {
  /** Oldest first, or highest priority first with `highestFirst` (same window either way). */
  events: BusEvent[];
  /** Events after the cursor were evicted, or the cursor is ahead of the bus: resync. */
  resyncRequired: boolean;
  /** The cursor for the next read: the last seq of this window (or the one given). */
  next: number;
}

export interface RingBusOptions {
  /** Events kept per topic (default 10 000). */
  capacity?: number;
  /** Topics kept (default 10 000); past it the topic published to least recently is dropped. */
  maxTopics?: number;
}

export interface BusReadOptions {
  highestFirst?: boolean;
}

export interface BusBatchItem {
  topic: string;
  payload: BusPayload;
  priority?: number;
}

export interface BusTopicStats {
  topic: string;
  count: number;
  published: number;
  evictions: number;
  lastSeq: number;
}

export interface RingBusStats {
  published: number;
  lastSeq: number;
  topics: number;
  evictions: number;
  subscribers: number;
  /** Sorted by topic name. */
  perTopic: BusTopicStats[];
}

export interface RingBusLike {
  /** Returns the event's seq. Throws (publishing nothing) on a bad topic or priority. */
  publish(topic: string, payload: BusPayload, priority?: number): number;
  /** All or none; returns the last seq (a batch's seqs are contiguous). */
  publishBatch(items: BusBatchItem[]): number;
  /** Events after `since` on topics matching `pattern` (`a.b`, `a.b.*` or `*`), at most `max` (default 1000). */
  read(pattern: string, since: number, max?: number, options?: BusReadOptions): BusReadResult;
  /** A cursor kept by the bus, starting after `since` (default: now). Returns its id. */
  subscribe(pattern: string, since?: number): number;
  /** The subscriber's next events; its cursor moves past them. */
  poll(id: number, max?: number, options?: BusReadOptions): BusReadResult;
  unsubscribe(id: number): boolean;
  readonly lastSeq: number;
  stats(): RingBusStats;
}

export type RingBusConstructor = new (options?: RingBusOptions) => RingBusLike;

/** Error texts shared word for word with the crate (`crates/ringbus/src/bus.rs`). */
export const BUS_ERRORS = {
  priority: 'priority: must be an integer from 0 to 3',
  since: 'since: must be a non-negative integer',
  max: 'max: must be a non-negative integer',
  pattern: 'pattern: must be a topic, a prefix ending in .*, or *',
  subscriber: 'subscriber: unknown id',
  topic: 'topic: must be a non-empty name without *',
} as const;

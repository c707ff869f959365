/** One state change, as it travels the spine and reaches WebSocket clients. */
export interface FleetEvent<D = unknown> {
  /** Monotonic across the whole spine; a cursor for resuming. */
  seq: number;
  /** Dotted topic, `team.<team>.<kind>[.<id>]`; patterns may end in `*`. */
  topic: string;
  /** The seed's message type: `new_message`, `task_updated`, `worker_output`, ... */
  type: string;
  team: string;
  data: D;
  ts: number;
}

export interface PublishInput<D = unknown> {
  topic: string;
  type: string;
  team: string;
  data: D;
}

export interface ReadResult {
  events: FleetEvent[];
  /** True when events after the cursor were evicted from the ring: the reader must resync. */
  resyncRequired: boolean;
  /** The cursor to pass next time. */
  next: number;
}

export interface SpineStats {
  published: number;
  lastSeq: number;
  topics: number;
  evictions: number;
  subscribers: number;
}

export type EventListener = (event: FleetEvent) => void;

/**
 * The event spine. Bounded: it keeps the last `capacity` events of each topic. `RingSpine`
 * (`ring-spine.ts`) implements it on the ringbus: the native crate, or its TypeScript fallback.
 */
export interface EventSpine {
  readonly implementation: 'js' | 'native';
  publish<D>(input: PublishInput<D>): FleetEvent<D>;
  read(pattern: string, since: number, max?: number): ReadResult;
  subscribe(pattern: string, listener: EventListener): () => void;
  stats(): SpineStats;
}

/** `team.alpha.*` matches `team.alpha.tasks` and `team.alpha.chat.x`; `*` alone matches all. */
export function topicMatches(pattern: string, topic: string): boolean {
  if (pattern === '*' || pattern === topic) return true;
  if (pattern.endsWith('.*')) return topic.startsWith(pattern.slice(0, -1));
  return false;
}

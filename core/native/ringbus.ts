import { loadNativeCrate, nativeDisabled, type NativeLoad } from './native-binary.js';
import { RingBusFallback } from './ringbus-fallback.js';
import type {
  BusBatchItem,
  BusEvent,
  BusPayload,
  BusReadOptions,
  BusReadResult,
  RingBusConstructor,
  RingBusLike,
  RingBusOptions,
  RingBusStats,
} from './ringbus-types.js';

export type * from './ringbus-types.js';

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
  read(pattern: string, since: number, max?: number, options?: BusReadOptions): Columns;
  subscribe(pattern: string, since?: number): number;
  poll(id: number, max?: number, options?: BusReadOptions): Columns;
  unsubscribe(id: number): boolean;
  readonly lastSeq: number;
  stats(): RingBusStats;
}

/** The crate as loaded (or why not), whatever FLEET_NATIVE says: the parity tests use it. */
export const nativeRingbus: NativeLoad<{ RingBusCore: new (options?: RingBusOptions) => RingBusCore }> = loadNativeCrate('ringbus');

/** Columns to event objects: V8 builds objects far faster than N-API calls do. */
function expand(columns: Columns): BusReadResult {
  const { numbers, topics, payloads } = columns;
  const events: BusEvent[] = new Array(payloads.length);
  for (let i = 0, at = 0; i < payloads.length; i++, at += 4) {
    events[i] = { seq: numbers[at]!, topic: topics[numbers[at + 3]!]!, ts: numbers[at + 1]!, priority: numbers[at + 2]!, payload: payloads[i]! };
  }
  return { events, resyncRequired: columns.resyncRequired, next: columns.next };
}

/** The crate behind the RingBus contract. */
export class NativeRingBus implements RingBusLike {
  readonly #core: RingBusCore;

  constructor(options?: RingBusOptions) {
    const native = nativeRingbus.module;
    if (!native) throw new Error(`the ringbus crate is not loaded${nativeRingbus.error ? `: ${nativeRingbus.error.message}` : ''}`);
    this.#core = new native.RingBusCore(options);
  }

  publish(topic: string, payload: BusPayload, priority?: number): number {
    return this.#core.publish(topic, payload, priority);
  }

  publishBatch(items: BusBatchItem[]): number {
    return this.#core.publishBatch(items);
  }

  read(pattern: string, since: number, max?: number, options?: BusReadOptions): BusReadResult {
    return expand(this.#core.read(pattern, since, max, options));
  }

  subscribe(pattern: string, since?: number): number {
    return this.#core.subscribe(pattern, since);
  }

  poll(id: number, max?: number, options?: BusReadOptions): BusReadResult {
    return expand(this.#core.poll(id, max, options));
  }

  unsubscribe(id: number): boolean {
    return this.#core.unsubscribe(id);
  }

  get lastSeq(): number {
    return this.#core.lastSeq;
  }

  stats(): RingBusStats {
    return this.#core.stats();
  }
}

const useNative = !nativeDisabled() && nativeRingbus.module !== undefined;

/** Which implementation `RingBus` is: the crate when its binary loads and FLEET_NATIVE is not 0. */
export const ringbusImplementation: 'native' | 'js' = useNative ? 'native' : 'js';

/** The ringbus to use. */
export const RingBus: RingBusConstructor = useNative ? NativeRingBus : RingBusFallback;

export { RingBusFallback };

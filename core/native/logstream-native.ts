import { chunkBytes } from './logstream-fallback.js';
import type { LogEvent, LogStreamLike, LogStreamOptions, LogStreamStats, WorkerState } from './logstream-types.js';
import { loadNativeCrate, type NativeLoad } from './native-binary.js';

/** The crate's raw class: events come back as one JSON array string per call. */
interface LogStreamCore {
  feed(chunk: Uint8Array): string;
  end(): string;
  tail(max?: number, contains?: string): string[];
  readonly state: WorkerState;
  stats(): Omit<LogStreamStats, 'msSinceLastEvent'> & { msSinceLastEvent?: number | null };
}

/** The crate as loaded (or why not), whatever FLEET_NATIVE says: the parity tests use it. */
export const nativeLogstream: NativeLoad<{ LogStreamCore: new (options?: LogStreamOptions) => LogStreamCore }> =
  loadNativeCrate('logstream');

const NO_EVENTS = '[]';

/**
 * The crate behind the LogStream contract. One JSON.parse per feed builds every event object at
 * once, which V8 does faster than one N-API call per property.
 */
export class NativeLogStream implements LogStreamLike {
  readonly #core: LogStreamCore;

  constructor(options?: LogStreamOptions) {
    const native = nativeLogstream.module;
    if (!native)
      throw new Error(
        `the logstream crate is not loaded${nativeLogstream.error ? `: ${nativeLogstream.error.message}` : ''}`,
      );
    this.#core = new native.LogStreamCore(options);
  }

  feed(chunk: Uint8Array | string): LogEvent[] {
    const out = this.#core.feed(chunkBytes(chunk));
    return out === NO_EVENTS ? [] : (JSON.parse(out) as LogEvent[]);
  }

  end(): LogEvent[] {
    const out = this.#core.end();
    return out === NO_EVENTS ? [] : (JSON.parse(out) as LogEvent[]);
  }

  tail(max?: number, contains?: string): string[] {
    return this.#core.tail(max, contains);
  }

  get state(): WorkerState {
    return this.#core.state;
  }

  stats(): LogStreamStats {
    const stats = this.#core.stats();
    return { ...stats, msSinceLastEvent: stats.msSinceLastEvent ?? null };
  }
}

import { Counter, type Registry } from 'prom-client';
import type { PluginContext } from '../../core/index.js';

type ReadEvents = PluginContext['events']['read'];

/** Events read off the spine per call; a catch-up loops until it is level with the spine. */
const PAGE = 1000;

/**
 * Events published on the spine, by type, from every plugin and team (the spine knows no list of
 * types, so this reads it rather than subscribing type by type). It follows a cursor over the
 * spine's ring: at each scrape and every few seconds between, so a busy topic rarely outruns its
 * ring. An event evicted before it was read is counted by its seq number in
 * `fleet_events_missed_total`, its type unknown.
 */
export class EventCounts {
  readonly #read: ReadEvents;
  readonly #published: Counter<'type'>;
  readonly #missed: Counter;
  #cursor = 0;
  readonly #timer: NodeJS.Timeout;

  constructor(registry: Registry, read: ReadEvents, intervalMs = 5000) {
    this.#read = read;
    const catchUp = () => this.catchUp();
    this.#published = new Counter({
      name: 'fleet_events_published_total',
      help: 'Events published on the event spine, by type',
      labelNames: ['type'],
      registers: [registry],
      collect: catchUp,
    });
    this.#missed = new Counter({
      name: 'fleet_events_missed_total',
      help: 'Events evicted from the spine before the metrics plugin counted them (type unknown)',
      registers: [registry],
    });
    this.#timer = setInterval(catchUp, intervalMs);
    this.#timer.unref();
  }

  /** Count what was published since the last call. */
  catchUp(): void {
    for (;;) {
      const { events, next } = this.#read('*', this.#cursor, PAGE);
      let expected = this.#cursor + 1;
      for (const event of events) {
        // Seq numbers are one spine-wide sequence: a gap is events the ring no longer holds.
        if (event.seq > expected) this.#missed.inc(event.seq - expected);
        this.#published.inc({ type: event.type });
        expected = event.seq + 1;
      }
      this.#cursor = Math.max(this.#cursor, next);
      if (events.length < PAGE) return;
    }
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}

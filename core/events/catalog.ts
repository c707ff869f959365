import type { FleetEvent } from './types.js';

/**
 * The catalog of event types: one payload shape per type. Empty here; each plugin extends it by
 * declaration merging from its events file, so emitters and subscribers share one type:
 *
 *     declare module '../../core/index.js' {
 *       interface FleetEventMap { task_created: { task: TeamTask } }
 *     }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface FleetEventMap {}

export type EventType = Extract<keyof FleetEventMap, string>;

/** A typed event as subscribers receive it; for several types, a union narrowed by `type`. */
export type TypedEvent<K extends EventType> = { [P in K]: FleetEvent<FleetEventMap[P]> & { type: P } }[K];

/** Where an event of a type goes: `team.<team>.<topic>`; the topic may depend on the payload (`chat.<id>`). */
export interface EventSpec<D> {
  topic: string | ((data: D) => string);
  /** One line for the plugin's README. */
  summary: string;
}

export type EventSpecs = { readonly [K in EventType]?: EventSpec<FleetEventMap[K]> };

const EVENT_SET = Symbol.for('claude-fleet.event-set');

/** The event types a plugin emits, with their topics: pass the result as the plugin's `events`. */
export function defineEvents<const T extends EventSpecs>(specs: T): T {
  Object.defineProperty(specs, EVENT_SET, { value: true, enumerable: false });
  return specs;
}

/** The topic of one event, below its team's prefix. */
export function topicOf(spec: EventSpec<never>, data: unknown): string {
  return typeof spec.topic === 'function' ? spec.topic(data as never) : spec.topic;
}

import type { EventSpec } from '../../core/events/catalog.js';
import type { AnyPlugin } from '../../core/plugin.js';
import { cell, code, table } from './markdown.js';

/**
 * A payload that records what a topic function reads: each property read yields another recorder,
 * and turning one into text gives `<path>`, so `(d) => \`chat.${d.chatId}\`` reads `chat.<chatId>`.
 */
function recordingPayload(path: string): unknown {
  const placeholder = () => `<${path}>`;
  return new Proxy(Object.create(null) as object, {
    get(_target, key) {
      if (key === Symbol.toPrimitive || key === 'toString' || key === 'valueOf') return placeholder;
      if (typeof key === 'symbol') return undefined;
      return recordingPayload(path ? `${path}.${key}` : key);
    },
  });
}

/** An event's topic for a reader: the string, a function's recorded form, or `computed` when it cannot be told. */
export function topicText(spec: EventSpec<unknown>): string {
  if (typeof spec.topic === 'string') return code(spec.topic);
  try {
    const topic: unknown = spec.topic(recordingPayload(''));
    // A function that branched on the payload or built an object gives nothing a reader could use.
    if (typeof topic === 'string' && topic.length > 0 && !topic.includes('[object')) return code(topic);
  } catch {
    // it needed a real payload: say so below
  }
  return 'computed';
}

/** Event types sorted by name, each with its topic (below `team.<team>.`) and summary. */
export function eventsTable(plugin: AnyPlugin): string | undefined {
  const specs = Object.entries((plugin.events ?? {}) as Record<string, EventSpec<unknown> | undefined>);
  const rows = specs
    .filter((entry): entry is [string, EventSpec<unknown>] => entry[1] !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([type, spec]) => [code(type), topicText(spec), cell(spec.summary)]);
  return rows.length > 0 ? table(['type', 'topic', 'summary'], rows) : undefined;
}

/** Argument checks of the ringbus contract, worded as the crate words them (`bus.rs`, `binding.rs`). */
import { BUS_ERRORS, type BusPayload } from './ringbus-types.js';

/** Errors shaped like the ones napi-rs throws, so callers see one behaviour. */
export function invalid(message: string): Error {
  return Object.assign(new Error(message), { code: 'InvalidArg' });
}

/** A JS number used as a cursor or count: finite, integral, not negative, safe. */
export function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

export function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined || value === null) return fallback;
  if (!isCount(value) || value < 1) throw invalid(`${name}: must be a positive integer`);
  return Math.min(value, 0xffffffff);
}

export function priorityOf(value: number | undefined | null): number {
  if (value === undefined || value === null) return 1;
  if (!isCount(value) || value > 3) throw invalid(BUS_ERRORS.priority);
  return value;
}

export function maxOf(value: number | undefined | null): number {
  if (value === undefined || value === null) return 1000;
  if (!isCount(value)) throw invalid(BUS_ERRORS.max);
  return Math.min(value, 0xffffffff);
}

export function sinceOf(value: number): number {
  if (!isCount(value)) throw invalid(BUS_ERRORS.since);
  return value;
}

/**
 * The string as it comes back from the crate, which keeps UTF-8: a lone surrogate becomes U+FFFD.
 * (Node 20 has both methods; TypeScript's ES2022 library does not declare them.)
 */
export function wellFormed(text: string): string {
  const s = text as string & { isWellFormed(): boolean; toWellFormed(): string };
  return s.isWellFormed() ? text : s.toWellFormed();
}

export function checkTopic(topic: unknown): string {
  if (typeof topic !== 'string') throw invalid('topic: must be a string');
  if (topic === '' || topic.includes('*')) throw invalid(BUS_ERRORS.topic);
  return wellFormed(topic);
}

export function checkPayload(payload: unknown): BusPayload {
  if (typeof payload === 'string') return wellFormed(payload);
  if (payload instanceof Uint8Array) return payload;
  throw invalid('payload: must be a string or a Uint8Array');
}

export function checkPattern(pattern: unknown): string {
  if (typeof pattern !== 'string') throw invalid('pattern: must be a string');
  const stars = pattern.split('*').length - 1;
  const ok = pattern !== '' && (stars === 0 || pattern === '*' || (pattern.endsWith('.*') && stars === 1));
  if (!ok) throw invalid(BUS_ERRORS.pattern);
  return pattern;
}

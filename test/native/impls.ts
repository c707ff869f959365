/**
 * The implementations a parity suite runs against. The native one is skipped only when its
 * binary was never built (and the skip says so); a binary that exists but does not load fails.
 */
import { LogStreamFallback, NativeLogStream, nativeLogstream } from '../../core/native/logstream.js';
import type { LogStreamConstructor } from '../../core/native/logstream-types.js';
import type { NativeLoad } from '../../core/native/native-binary.js';
import { NativeRingBus, nativeRingbus, RingBusFallback } from '../../core/native/ringbus.js';
import type { RingBusConstructor } from '../../core/native/ringbus-types.js';

export interface Impl<T> {
  name: 'native' | 'js';
  /** Undefined when the native side cannot run: see `skip` or `loadError`. */
  value?: T;
  /** Why this side is skipped (its binary is absent). */
  skip?: string;
  /** The binary exists but did not load: the suite must fail. */
  loadError?: Error;
}

function nativeSide<T>(crate: string, load: NativeLoad<unknown>, value: T | undefined): Impl<T> {
  if (!load.path)
    return {
      name: 'native',
      skip: `crates/${crate} has no built binary (run npm run build:native); only the fallback is tested`,
    };
  if (load.error || value === undefined)
    return { name: 'native', loadError: load.error ?? new Error(`${load.path} loaded without the expected export`) };
  return { name: 'native', value };
}

export function ringbusImpls(): Impl<RingBusConstructor>[] {
  return [
    nativeSide('ringbus', nativeRingbus, nativeRingbus.module ? NativeRingBus : undefined),
    { name: 'js', value: RingBusFallback },
  ];
}

export function logstreamImpls(): Impl<LogStreamConstructor>[] {
  return [
    nativeSide('logstream', nativeLogstream, nativeLogstream.module ? NativeLogStream : undefined),
    { name: 'js', value: LogStreamFallback },
  ];
}

/** Both sides when both can run (for comparing their outputs), else undefined. */
export function bothOrNone<T>(impls: Impl<T>[]): { native: T; js: T } | undefined {
  const native = impls.find((i) => i.name === 'native')?.value;
  const js = impls.find((i) => i.name === 'js')?.value;
  return native && js ? { native, js } : undefined;
}

/** A small deterministic PRNG (mulberry32), so a failing random case can be replayed by seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

import { loadNativeCrate, nativeDisabled, type NativeLoad } from './native-binary.js';
import { RingBusFallback } from './ringbus-fallback.js';
import type { RingBusConstructor } from './ringbus-types.js';

export type * from './ringbus-types.js';

/** The crate as loaded (or why not), whatever FLEET_NATIVE says: the parity tests use it. */
export const nativeRingbus: NativeLoad<{ RingBus: RingBusConstructor }> = loadNativeCrate('ringbus');

const useNative = !nativeDisabled() && nativeRingbus.module !== undefined;

/** Which implementation `RingBus` is: the crate when its binary loads and FLEET_NATIVE is not 0. */
export const ringbusImplementation: 'native' | 'js' = useNative ? 'native' : 'js';

/** The ringbus to use. */
export const RingBus: RingBusConstructor = useNative ? nativeRingbus.module!.RingBus : RingBusFallback;

export { RingBusFallback };

import { nativeDisabled } from './native-binary.js';
import { NativeRingBus, nativeRingbus } from './ringbus-native.js';
import { RingBusFallback } from './ringbus-fallback.js';
import type { RingBusConstructor } from './ringbus-types.js';

export type * from './ringbus-types.js';

const useNative = !nativeDisabled() && nativeRingbus.module !== undefined;

/** Which implementation `RingBus` is: the crate when its binary loads and FLEET_NATIVE is not 0. */
export const ringbusImplementation: 'native' | 'js' = useNative ? 'native' : 'js';

/** The ringbus to use. */
export const RingBus: RingBusConstructor = useNative ? NativeRingBus : RingBusFallback;

export { NativeRingBus, nativeRingbus, RingBusFallback };

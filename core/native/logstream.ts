import { LogStreamFallback } from './logstream-fallback.js';
import { NativeLogStream, nativeLogstream } from './logstream-native.js';
import type { LogStreamConstructor } from './logstream-types.js';
import { nativeDisabled } from './native-binary.js';

export type * from './logstream-types.js';

const useNative = !nativeDisabled() && nativeLogstream.module !== undefined;

/** Which implementation `LogStream` is: the crate when its binary loads and FLEET_NATIVE is not 0. */
export const logstreamImplementation: 'native' | 'js' = useNative ? 'native' : 'js';

/** The parser to use. */
export const LogStream: LogStreamConstructor = useNative ? NativeLogStream : LogStreamFallback;

export { LogStreamFallback, NativeLogStream, nativeLogstream };

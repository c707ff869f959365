/**
 * A logger for tests: the kernel's own createLogger, quiet unless the test asks to see its lines.
 * With a sink and no level it keeps everything (debug and up), so a test can assert on any line.
 */
import { createLogger, type Logger, type LogLevel, type LogSink } from '../../core/log.js';

export interface TestLoggerOptions {
  /** The lowest level written: default `debug` with a sink, `silent` without one. */
  level?: LogLevel;
  /** Where lines go (e.g. `(line) => lines.push(line)`); default: nowhere. */
  sink?: LogSink;
}

export function testLogger(options: TestLoggerOptions = {}): Logger {
  const { sink } = options;
  if (sink === undefined) return createLogger({ level: options.level ?? 'silent', sink: () => undefined });
  return createLogger({ level: options.level ?? 'debug', sink });
}

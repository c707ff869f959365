/**
 * A small structured logger: one line per record on stderr, `ts level [scope] message key=value`.
 * Values are JSON-encoded when they are not plain words, so a log line can be grepped and parsed.
 * Never pass secrets (tokens, keys) as fields: nothing here can tell them apart.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const LEVEL_RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };
export const LOG_LEVELS = Object.keys(LEVEL_RANK) as LogLevel[];

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(scope: string): Logger;
  setLevel(level: LogLevel): void;
}

export type LogSink = (line: string) => void;

interface LoggerState {
  level: LogLevel;
  sink: LogSink;
}

function formatValue(value: unknown): string {
  if (value instanceof Error) return JSON.stringify(value.stack ?? value.message);
  if (typeof value === 'string' && /^[\w.:/@%+-]+$/.test(value)) return value;
  return JSON.stringify(value) ?? String(value);
}

function makeLogger(state: LoggerState, scope: string): Logger {
  const write = (level: LogLevel, message: string, fields?: Record<string, unknown>): void => {
    if (LEVEL_RANK[level] < LEVEL_RANK[state.level]) return;
    let line = `${new Date().toISOString()} ${level.padEnd(5)} [${scope}] ${message}`;
    if (fields) {
      for (const [key, value] of Object.entries(fields)) {
        if (value !== undefined) line += ` ${key}=${formatValue(value)}`;
      }
    }
    state.sink(line);
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (child) => makeLogger(state, `${scope}:${child}`),
    setLevel: (level) => {
      state.level = level;
    },
  };
}

export function createLogger(options: { level?: LogLevel; scope?: string; sink?: LogSink } = {}): Logger {
  const state: LoggerState = {
    level: options.level ?? 'info',
    sink: options.sink ?? ((line) => process.stderr.write(line + '\n')),
  };
  return makeLogger(state, options.scope ?? 'fleet');
}

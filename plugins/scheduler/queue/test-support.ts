/** For this plugin's tests: a logger that keeps its lines, and an emit that keeps its events. */
import type { Logger } from '../../../core/index.js';

export interface Recorded {
  type: string;
  team: string;
  data: Record<string, unknown>;
}

export function recordingEmit(): { events: Recorded[]; emit: (type: string, team: string, data: unknown) => unknown } {
  const events: Recorded[] = [];
  return {
    events,
    emit: (type, team, data) => {
      events.push({ type, team, data: data as Record<string, unknown> });
      return undefined;
    },
  };
}

export function memoryLogger(lines: string[] = []): Logger {
  const logger: Logger = {
    debug: (message, fields) => void lines.push(`debug ${message} ${JSON.stringify(fields ?? {})}`),
    info: (message, fields) => void lines.push(`info ${message} ${JSON.stringify(fields ?? {})}`),
    warn: (message, fields) => void lines.push(`warn ${message} ${JSON.stringify(fields ?? {})}`),
    error: (message, fields) => void lines.push(`error ${message} ${JSON.stringify(fields ?? {})}`),
    child: () => logger,
    setLevel: () => undefined,
  };
  return logger;
}

import { detectUsageLimit, type UsageLimit } from './usage-limit.js';

/** Lines that might report a limit: anything else is not parsed again (the log parser has read it). */
const MAY_REPORT = /limit|429|529|overload/i;

/** The first usage or rate limit among a batch of log lines (overloaded is not one: nothing parks for it). */
export function usageLimitIn(lines: readonly { text: string }[], now = Date.now()): UsageLimit | undefined {
  for (const { text } of lines) {
    if (!MAY_REPORT.test(text)) continue;
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      continue;
    }
    const limit = detectUsageLimit(message, now);
    if (limit && limit.kind !== 'overloaded') return limit;
  }
  return undefined;
}

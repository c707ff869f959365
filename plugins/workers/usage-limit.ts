/**
 * Reads, from one stream-json message of Claude Code, whether the agent was stopped by a usage or rate
 * limit, and when it resets. The shapes are the ones the real CLI writes (2.1.330), captured in
 * test/fixtures/stream-json/usage-limit-*.ndjson and described in usage-limits.md:
 *  - `rate_limit_event` with `rate_limit_info.status: "rejected"`: a usage limit when it names one
 *    (`rateLimitType`), with `resetsAt` in seconds; without a type, the server throttling;
 *  - the synthetic assistant message (`is_api_error_message: true`) the CLI writes when it gives up on a
 *    request: `api_error: "usage_limit_reached"` with `api_error_params.rate_limit_info`, or
 *    `error: "rate_limit"` / `api_error_status: 429`, or a 529 (overloaded);
 *  - the turn's `result` with `is_error: true` and the same `api_error` / `api_error_status` fields.
 * `system/api_retry` lines are transient (the CLI is retrying; the turn may yet succeed): never a limit.
 * Pure and total: untrusted input, so it never throws and reads only bounded strings.
 */

export interface UsageLimit {
  kind: 'usage_limit' | 'rate_limit' | 'overloaded';
  /** Which usage window is used up. weekly or unknown: a lead decides, nothing guesses. */
  window: 'five_hour' | 'weekly' | 'unknown';
  /** When the limit resets (ms since epoch), when the CLI says. */
  resetsAt: number | null;
  /** What the CLI said, trimmed to 500 characters. */
  message: string;
}

const MESSAGE_MAX = 500;
/** Texts longer than this are only looked at up to here (the CLI's limit lines are short). */
const SCAN_MAX = 2_000;
/** A reset further away than this is not believed (a hostile or broken line must not park for years). */
const RESET_HORIZON_MS = 35 * 24 * 3600_000;

type Fields = Record<string, unknown>;

const isObject = (value: unknown): value is Fields =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value.slice(0, SCAN_MAX) : undefined);
const trimmed = (value: string) => (value.length > MESSAGE_MAX ? value.slice(0, MESSAGE_MAX) : value).trim();

/** The CLI's rateLimitType → the window. Every seven_day* claim (all models, Opus, Sonnet...) is weekly. */
function windowOfType(type: unknown): UsageLimit['window'] {
  if (type === 'five_hour') return 'five_hour';
  if (typeof type === 'string' && type.startsWith('seven_day')) return 'weekly';
  return 'unknown';
}

/**
 * The window named in the CLI's own words ("You've hit your 5-hour limit", "... weekly limit", "... Opus
 * limit": its names for five_hour, seven_day, seven_day_opus/_sonnet/_overage_included).
 */
function windowOfText(text: string): UsageLimit['window'] {
  if (/\byour 5-hour limit\b/.test(text)) return 'five_hour';
  if (/\byour (weekly|Opus|Sonnet|Fable) limit\b/.test(text)) return 'weekly';
  return 'unknown';
}

/** A reset time as the CLI gives it (seconds since epoch; milliseconds accepted) → ms, if believable. */
function resetOf(value: unknown, now: number): number | null {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) return null;
  const ms = value < 1e11 ? value * 1000 : value;
  return ms > now + RESET_HORIZON_MS ? null : Math.round(ms);
}

/** Older CLIs ended a turn with "Claude AI usage limit reached|<reset, seconds since epoch>". */
function legacyLimit(text: string, now: number): UsageLimit | null {
  const match = /usage limit reached\|(\d{9,11})\b/i.exec(text);
  if (!match) return null;
  return { kind: 'usage_limit', window: 'unknown', resetsAt: resetOf(Number(match[1]), now), message: trimmed(text) };
}

/** The text of an assistant message's content (its text blocks). */
function textOf(message: unknown): string {
  if (!isObject(message)) return '';
  const content = message.content;
  if (typeof content === 'string') return content.slice(0, SCAN_MAX);
  if (!Array.isArray(content)) return '';
  let text = '';
  for (const block of content.slice(0, 20)) {
    const part = isObject(block) && block.type === 'text' ? str(block.text) : undefined;
    if (part) text = text ? `${text}\n${part}` : part;
    if (text.length >= SCAN_MAX) break;
  }
  return text.slice(0, SCAN_MAX);
}

function fromRateLimitEvent(line: Fields, now: number): UsageLimit | null {
  const info = line.rate_limit_info;
  if (!isObject(info) || info.status !== 'rejected') return null;
  // Usage credits ("overage") pay for what the plan no longer covers: nothing is blocked.
  if (info.isUsingOverage === true) return null;
  const type = str(info.rateLimitType)?.slice(0, 64);
  const resetsAt = resetOf(info.resetsAt, now);
  const when = resetsAt === null ? 'no reset time' : `resets ${new Date(resetsAt).toISOString()}`;
  if (type === undefined)
    return { kind: 'rate_limit', window: 'unknown', resetsAt, message: `rate_limit_event: rejected, ${when}` };
  return {
    kind: 'usage_limit',
    window: windowOfType(type),
    resetsAt,
    message: `rate_limit_event: rejected (${type}), ${when}`,
  };
}

/**
 * The fields an API error carries on the synthetic assistant message and on the result: api_error (the
 * CLI's typed kind), api_error_status, api_error_type, and on the assistant message `error` and
 * api_error_params.rate_limit_info.
 */
function fromApiError(line: Fields, text: string, now: number): UsageLimit | null {
  const apiError = str(line.api_error);
  const status = line.api_error_status;
  const type = str(line.api_error_type);
  const error = str(line.error);
  const message = trimmed(text);
  if (apiError === 'usage_limit_reached') {
    const info = isObject(line.api_error_params) ? line.api_error_params.rate_limit_info : undefined;
    if (isObject(info))
      return {
        kind: 'usage_limit',
        window: windowOfType(info.rateLimitType),
        resetsAt: resetOf(info.resetsAt, now),
        message,
      };
    // The result carries no rate_limit_info: the window is in its words, the reset only as a clock time.
    return { kind: 'usage_limit', window: windowOfText(text), resetsAt: null, message };
  }
  const rateLimited = status === 429 || type === 'rate_limit_error' || error === 'rate_limit';
  // Another typed refusal on a 429 (e.g. model_requires_usage_credits): a quota matter a lead decides.
  if (rateLimited && apiError !== undefined) return { kind: 'usage_limit', window: 'unknown', resetsAt: null, message };
  if (rateLimited) return legacyLimit(text, now) ?? { kind: 'rate_limit', window: 'unknown', resetsAt: null, message };
  if (status === 529 || type === 'overloaded_error' || error === 'overloaded')
    return { kind: 'overloaded', window: 'unknown', resetsAt: null, message };
  return legacyLimit(text, now);
}

/** One stream-json message (already JSON.parsed) → a limit it reports, or null. */
export function detectUsageLimit(message: unknown, now: number = Date.now()): UsageLimit | null {
  try {
    if (!isObject(message)) return null;
    switch (message.type) {
      case 'rate_limit_event':
        return fromRateLimitEvent(message, now);
      case 'assistant':
        // Only the CLI's own error message: a model's reply that talks about limits is not one.
        if (message.is_api_error_message !== true) return null;
        return fromApiError(message, textOf(message.message), now);
      case 'result':
        if (message.is_error !== true) return null;
        return fromApiError(message, str(message.result) ?? '', now);
      default:
        // system/api_retry included: the CLI is retrying, the turn may yet succeed.
        return null;
    }
  } catch {
    return null;
  }
}

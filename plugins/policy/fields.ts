import * as v from 'valibot';
import { f } from '../../core/index.js';

export const policyId = f.uuid('policy');
export const approvalId = f.uuid('approval');
/** `tool_call`, or the kind of another plugin's items (`budget`, `quota`). */
export const approvalKind = v.pipe(
  v.string('must be a string'),
  v.regex(/^[a-z][a-z0-9_.-]{0,63}$/, 'must be a kind: lower-case letters, digits, _ . or -'),
);
export const ruleName = f.text({ min: 1, max: 100 });
export const ruleDecision = f.oneOf(['block', 'ask', 'allow'] as const);
/** Tool names: `Bash`, `Edit|Write`, `mcp__*`, `*`. Compiled by the engine, which names what is wrong. */
export const toolPattern = f.text({ min: 1, max: 200 });
/** A regex over the input, or a path glob for file tools. */
export const inputPattern = f.text({ min: 1, max: 1000 });
export const ruleReason = f.text({ min: 1, max: 500 });
export const priority = f.int(0, 10_000);
export const toolName = f.text({ min: 1, max: 200 });
const TOOL_INPUT_MAX_CHARS = 1_000_000;

/** Deeper than `limit` objects/arrays? Iterative: a hostile body cannot overflow the stack. */
function nestsDeeper(value: unknown, limit: number): boolean {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 1 }];
  while (stack.length > 0) {
    const { value: current, depth } = stack.pop()!;
    if (depth > limit) return true;
    for (const child of Object.values(current as object))
      if (typeof child === 'object' && child !== null) stack.push({ value: child, depth: depth + 1 });
  }
  return false;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A tool input as Claude Code sends it: a Write of a large file is a large input, and a check the
 * fleet refuses is a denied call, so this is as large as the server's body limit (1 MiB by default).
 * Taken as parsed, every key kept: f.jsonObject's v.record drops `__proto__`, `constructor` and
 * `prototype`, so text under them reached neither the rules nor the approval's hash, while the
 * tool itself still got it.
 */
export const toolInput = v.pipe(
  v.unknown(),
  // What the MCP tool and the OpenAPI document say it is (v.unknown() alone says nothing).
  v.metadata({ type: 'object' }),
  // Valibot runs the later checks of a pipe after one fails: each stands on its own.
  v.check(isObject, 'must be an object'),
  v.check(
    (value) => !isObject(value) || !nestsDeeper(value, f.MAX_JSON_DEPTH),
    `must not nest deeper than ${f.MAX_JSON_DEPTH} levels`,
  ),
  v.check(
    (value) => !isObject(value) || JSON.stringify(value).length <= TOOL_INPUT_MAX_CHARS,
    `must be at most ${TOOL_INPUT_MAX_CHARS} characters of JSON`,
  ),
  v.transform((value) => value as Record<string, unknown>),
);
export const workingDir = f.text({ min: 1, max: 4096 });
export const limit = f.int(1, 500);
export const offset = f.int(0, 1_000_000);

/** A time in ISO 8601 (`2026-11-29T10:00:00Z`) or ms since the epoch; the input is ms. */
export const since = v.pipe(
  v.unknown(),
  v.transform((value) => {
    if (typeof value === 'number') return value;
    if (typeof value !== 'string') return Number.NaN;
    if (/^\d{1,16}$/.test(value)) return Number(value);
    return /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : Number.NaN;
  }),
  v.number(),
  v.check((value) => Number.isFinite(value) && value >= 0, 'must be an ISO 8601 time or ms since the epoch'),
);

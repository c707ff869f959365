import * as v from 'valibot';
import { f } from '../../core/index.js';

export const policyId = f.uuid('policy');
export const approvalId = f.uuid('approval');
export const ruleName = f.text({ min: 1, max: 100 });
export const ruleDecision = f.oneOf(['block', 'ask', 'allow'] as const);
/** Tool names: `Bash`, `Edit|Write`, `mcp__*`, `*`. Compiled by the engine, which names what is wrong. */
export const toolPattern = f.text({ min: 1, max: 200 });
/** A regex over the input, or a path glob for file tools. */
export const inputPattern = f.text({ min: 1, max: 1000 });
export const ruleReason = f.text({ min: 1, max: 500 });
export const priority = f.int(0, 10_000);
export const toolName = f.text({ min: 1, max: 200 });
/**
 * A tool input as Claude Code sends it: a Write of a large file is a large input, and a check the
 * fleet refuses is a denied call, so this is as large as the server's body limit (1 MiB by default).
 */
export const toolInput = f.jsonObject({ maxChars: 1_000_000 });
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

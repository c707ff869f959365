/**
 * A rule's `tool` field: alternatives separated by `|`, each a tool name with `*` wildcards
 * (`Bash`, `Edit|Write`, `mcp__*`, `*`). Matching ignores case, so `bash` still catches `Bash`.
 */
import { RE2JS } from 're2js';
import { PolicyRuleError } from './types.js';

/** What a tool name may contain: Claude Code's tools and `mcp__server__tool` names. */
const ALTERNATIVE = /^[A-Za-z0-9_.:*-]+$/;
const MAX_TOOL_PATTERN = 500;

export interface ToolMatcher {
  /** The alternatives as written (trimmed). */
  readonly alternatives: readonly string[];
  matches(tool: string): boolean;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Compile a `tool` field; throws PolicyRuleError('tool') when it is not one. */
export function compileToolPattern(tool: string): ToolMatcher {
  if (typeof tool !== 'string' || tool.trim() === '') throw new PolicyRuleError('tool', 'must name at least one tool');
  if (tool.length > MAX_TOOL_PATTERN)
    throw new PolicyRuleError('tool', `must be at most ${MAX_TOOL_PATTERN} characters`);
  const alternatives = tool.split('|').map((alternative) => alternative.trim());
  for (const alternative of alternatives) {
    if (alternative === '') throw new PolicyRuleError('tool', `empty alternative in ${JSON.stringify(tool)}`);
    if (!ALTERNATIVE.test(alternative))
      throw new PolicyRuleError(
        'tool',
        `${JSON.stringify(alternative)} is not a tool name (letters, digits, _ . : - and * wildcards)`,
      );
  }
  if (alternatives.includes('*')) return { alternatives, matches: () => true };
  // RE2 (linear time): `a*a*a*…` wildcards cannot make matching a long tool name blow up.
  const source = alternatives.map((alternative) => alternative.split('*').map(escapeRegExp).join('.*')).join('|');
  const regex = RE2JS.compile(`^(?:${source})$`, RE2JS.CASE_INSENSITIVE);
  return { alternatives, matches: (name) => regex.test(name) };
}

/**
 * The policy engine's vocabulary, shared by the engine (pure: rules in, a decision out), the
 * policy plugin (storage, approvals, audit) and the hook that enforces decisions on workers.
 */

/** What a rule decides when it matches. Deny wins: block > ask > allow. */
export type RuleDecision = 'block' | 'ask' | 'allow';

/** A rule as stored and served (`POST /policies` body plus its id and defaults). */
export interface PolicyRule {
  id: string;
  name: string;
  decision: RuleDecision;
  /** Tool names: `Bash`, `Edit|Write`, `mcp__*`, `*` (alternatives with `|`, `*` as a wildcard). */
  tool: string;
  /** A regex over the tool input, or a path glob for file tools (see the engine's README section). */
  pattern: string;
  reason: string;
  /** Higher first when two rules of the same decision match (the first one is reported). */
  priority: number;
  enabled: boolean;
  /** An `ask` of this rule needs a second person: the requester may not approve it. */
  twoPerson: boolean;
}

/** One tool call as Claude Code sends it to a PreToolUse hook, plus where the worker stands. */
export interface ToolCall {
  tool: string;
  input: Record<string, unknown>;
  /** The agent's working directory (relative paths in the input resolve against it). */
  cwd?: string;
  /** The worker's own git worktree, when it has one (rules may treat paths inside it differently). */
  worktree?: string;
  /** The agent's home directory, for `~` in paths and globs. */
  home?: string;
}

/** The engine's answer. `none`: no enabled rule matched; the agent's own permission mode decides. */
export interface Evaluation {
  decision: RuleDecision | 'none';
  /** The deciding rule (for block and ask: the highest-priority matching rule of that decision). */
  rule?: PolicyRule;
  reason?: string;
  /** The part of the input that matched (one command of a compound Bash line, or a path). */
  matched?: string;
}

/** A rule that cannot be compiled: which field, and why (served as a 400 naming the field). */
export class PolicyRuleError extends Error {
  constructor(
    readonly field: 'tool' | 'pattern',
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'PolicyRuleError';
  }
}

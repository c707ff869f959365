/**
 * compilePolicy: rules in, a CompiledPolicy out; evaluate: one tool call in, a decision out.
 *
 * Deny wins: block > ask > allow > none. Every subject of the call is judged (each part of a
 * compound Bash line, the whole line too, each path of a file tool): a block rule matching any of
 * them blocks; else an ask rule matching any asks; the call is allowed only if every subject that
 * must be covered is matched by some allow rule and none is opaque (a dynamic command name, a
 * line that did not parse). The deciding rule is the highest-priority match of the winning
 * decision (ties: the earlier rule).
 */
import { BUILTIN_RULES } from './builtins.js';
import { compilePattern, type CompiledPattern } from './pattern.js';
import { callSubjects, type CallSubjects, type Subject } from './subjects.js';
import { compileToolPattern, type ToolMatcher } from './tool-matcher.js';
import { PolicyRuleError, type Evaluation, type PolicyRule, type RuleDecision, type ToolCall } from './types.js';

export interface CompileOptions {
  /** Add the built-in rules: all of them (true) or those named (`builtin-rm-rf-root`, …). */
  builtins?: boolean | readonly string[];
}

export interface CompiledPolicy {
  /** The enabled rules it judges with, built-ins included, highest priority first. */
  readonly rules: readonly PolicyRule[];
  evaluate(call: ToolCall): Evaluation;
}

interface CompiledRule {
  readonly rule: PolicyRule;
  readonly tool: ToolMatcher;
  readonly pattern: CompiledPattern;
}

interface ToolRules {
  readonly block: readonly CompiledRule[];
  readonly ask: readonly CompiledRule[];
  readonly allow: readonly CompiledRule[];
}

/** Distinct tool names remembered per policy (tool names are few; this bounds a hostile stream). */
const TOOL_CACHE_LIMIT = 1024;
const NONE: Evaluation = Object.freeze({ decision: 'none' });

function compileRule(rule: PolicyRule): CompiledRule {
  try {
    const tool = compileToolPattern(rule.tool);
    return { rule, tool, pattern: compilePattern(rule.pattern, tool) };
  } catch (error) {
    if (error instanceof PolicyRuleError)
      throw new PolicyRuleError(
        error.field,
        `rule ${JSON.stringify(rule.name)}: ${error.message.replace(/^\w+: /, '')}`,
      );
    throw error;
  }
}

/** Check a rule's tool and pattern; the error names the field (for a 400), or undefined if fine. */
export function validateRule(rule: { tool: string; pattern: string }): PolicyRuleError | undefined {
  try {
    compilePattern(rule.pattern, compileToolPattern(rule.tool));
    return undefined;
  } catch (error) {
    if (error instanceof PolicyRuleError) return error;
    return new PolicyRuleError('pattern', (error as Error).message);
  }
}

function builtinsFor(option: CompileOptions['builtins']): PolicyRule[] {
  if (!option) return [];
  if (option === true) return [...BUILTIN_RULES];
  const known = new Map(BUILTIN_RULES.map((rule) => [rule.name, rule]));
  return option.map((name) => {
    const rule = known.get(name);
    if (!rule)
      throw new PolicyRuleError(
        'pattern',
        `unknown built-in rule ${JSON.stringify(name)} (known: ${[...known.keys()].join(', ')})`,
      );
    return rule;
  });
}

/** Compile the enabled rules once (throws PolicyRuleError naming 'tool' or 'pattern' for a bad rule). */
export function compilePolicy(rules: readonly PolicyRule[], options: CompileOptions = {}): CompiledPolicy {
  const all = [...rules.filter((rule) => rule.enabled), ...builtinsFor(options.builtins)];
  const compiled = all
    .map((rule, order) => ({ compiled: compileRule(rule), order }))
    .sort((a, b) => b.compiled.rule.priority - a.compiled.rule.priority || a.order - b.order)
    .map((entry) => entry.compiled);
  return new Policy(compiled);
}

class Policy implements CompiledPolicy {
  readonly rules: readonly PolicyRule[];
  private readonly byTool = new Map<string, ToolRules>();

  constructor(private readonly compiled: readonly CompiledRule[]) {
    this.rules = compiled.map((entry) => entry.rule);
  }

  private forTool(tool: string): ToolRules {
    let rules = this.byTool.get(tool);
    if (rules) return rules;
    const applicable = this.compiled.filter((entry) => entry.tool.matches(tool));
    const of = (decision: RuleDecision) => applicable.filter((entry) => entry.rule.decision === decision);
    rules = { block: of('block'), ask: of('ask'), allow: of('allow') };
    if (this.byTool.size >= TOOL_CACHE_LIMIT) this.byTool.clear();
    this.byTool.set(tool, rules);
    return rules;
  }

  evaluate(call: ToolCall): Evaluation {
    const tool = typeof call.tool === 'string' ? call.tool : '';
    const rules = this.forTool(tool);
    if (rules.block.length + rules.ask.length + rules.allow.length === 0) return NONE;
    const context = callSubjects({ ...call, tool });
    for (const decision of ['block', 'ask'] as const) {
      const hit = firstMatch(rules[decision], context.subjects, context);
      if (hit) return { decision, rule: hit.rule, reason: hit.rule.reason, matched: hit.matched };
    }
    return allowed(rules.allow, context) ?? NONE;
  }
}

function firstMatch(
  rules: readonly CompiledRule[],
  subjects: readonly Subject[],
  context: CallSubjects,
): { rule: PolicyRule; matched: string } | undefined {
  for (const entry of rules) {
    for (const subject of subjects) {
      const matched = entry.pattern.match(subject, context);
      if (matched !== undefined) return { rule: entry.rule, matched };
    }
  }
  return undefined;
}

function allowed(rules: readonly CompiledRule[], context: CallSubjects): Evaluation | undefined {
  if (rules.length === 0) return undefined;
  if (context.subjects.some((subject) => subject.opaque)) return undefined;
  const required = context.subjects.filter((subject) => !subject.judgeOnly);
  if (required.length === 0) return undefined;
  let best: { rule: PolicyRule; matched: string; rank: number } | undefined;
  for (const subject of required) {
    const rank = rules.findIndex((entry) => entry.pattern.match(subject, context) !== undefined);
    if (rank < 0) return undefined;
    if (!best || rank < best.rank) best = { rule: rules[rank]!.rule, matched: subject.text, rank };
  }
  return best && { decision: 'allow', rule: best.rule, reason: best.rule.reason, matched: best.matched };
}

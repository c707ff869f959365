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
import { RE2Set } from 're2js';
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

/**
 * The rules of one decision for one tool, highest priority first (a rule's rank is its index).
 * Their regexes are batched into RE2 sets, so a subject is scanned once per batch rather than
 * once per rule: with 1,000 rules that is the difference between a few and a thousand passes.
 */
interface DecisionRules {
  readonly entries: readonly CompiledRule[];
  readonly sets: readonly { readonly set: RE2Set; readonly ranks: readonly number[] }[];
  /** Ranks of the rules not in a set (globs, built-ins, empty patterns), ascending. */
  readonly others: readonly number[];
}

interface ToolRules {
  readonly block: DecisionRules;
  readonly ask: DecisionRules;
  readonly allow: DecisionRules;
}

/** Regexes per RE2 set: small enough for the set's DFA to stay within its memory budget. */
const SET_SIZE = 48;

/**
 * Does the regex only match at the start of the text (`^…` with no top-level `|`, no (?m))? Such
 * regexes are batched in sets anchored at the start, which give up after the first characters
 * that no rule can continue, instead of scanning the whole subject.
 */
export function anchoredAtStart(source: string): boolean {
  let rest = source;
  const flags = /^\(\?([a-zA-Z]+)\)/.exec(rest);
  if (flags) {
    if (flags[1]!.includes('m')) return false;
    rest = rest.slice(flags[0].length);
  }
  if (!rest.startsWith('^')) return false;
  let depth = 0;
  for (let i = 1; i < rest.length; i++) {
    const c = rest[i];
    if (c === '\\') i++;
    else if (c === '[') {
      // A class: skip to its closing bracket (a leading `^` or `]` belongs to it).
      i++;
      if (rest[i] === '^') i++;
      if (rest[i] === ']') i++;
      while (i < rest.length && rest[i] !== ']') i += rest[i] === '\\' ? 2 : 1;
    } else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) return false;
  }
  return true;
}

function decisionRules(entries: readonly CompiledRule[]): DecisionRules {
  const sets: { set: RE2Set; ranks: number[] }[] = [];
  const others: number[] = [];
  const batches = { anchored: [] as number[], unanchored: [] as number[] };
  const flush = (kind: 'anchored' | 'unanchored') => {
    const batch = batches[kind];
    if (batch.length === 0) return;
    const set = new RE2Set(kind === 'anchored' ? RE2Set.ANCHOR_START : RE2Set.UNANCHORED);
    try {
      for (const rank of batch) set.add(entries[rank]!.pattern.source);
      set.compile();
      sets.push({ set, ranks: batch });
    } catch {
      others.push(...batch);
    }
    batches[kind] = [];
  };
  entries.forEach((entry, rank) => {
    if (!entry.pattern.regex) {
      others.push(rank);
      return;
    }
    const kind = anchoredAtStart(entry.pattern.source) ? 'anchored' : 'unanchored';
    batches[kind].push(rank);
    if (batches[kind].length === SET_SIZE) flush(kind);
  });
  flush('anchored');
  flush('unanchored');
  others.sort((a, b) => a - b);
  return { entries, sets, others };
}

/** The best (lowest) rank of a rule matching this subject, or -1. */
function bestRank(rules: DecisionRules, subject: Subject, context: CallSubjects): number {
  let best = Infinity;
  for (const { set, ranks } of rules.sets) {
    for (const id of set.match(subject.text)) if (ranks[id]! < best) best = ranks[id]!;
  }
  for (const rank of rules.others) {
    if (rank >= best) break;
    if (rules.entries[rank]!.pattern.match(subject, context) !== undefined) {
      best = rank;
      break;
    }
  }
  return best === Infinity ? -1 : best;
}

/** Distinct tool names remembered per policy (tool names are few; this bounds a hostile stream). */
const TOOL_CACHE_LIMIT = 1024;
/** Tools whose rule lists a new policy builds at once (others on first sight). */
const PREPARED_TOOLS = ['Bash', 'Read', 'Edit', 'Write', 'MultiEdit', 'NotebookEdit', 'Glob', 'Grep', 'WebFetch'];
const NONE: Evaluation = Object.freeze({ decision: 'none' });
const UNJUDGEABLE: Evaluation = Object.freeze({
  decision: 'block',
  reason: 'This tool input could not be judged (nested too deep), so it is blocked',
});

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
    // Build Claude Code's own tools' rule sets now, so the first call of each does not pay for it.
    for (const tool of PREPARED_TOOLS) this.forTool(tool);
  }

  private forTool(tool: string): ToolRules {
    let rules = this.byTool.get(tool);
    if (rules) return rules;
    const applicable = this.compiled.filter((entry) => entry.tool.matches(tool));
    const of = (decision: RuleDecision) =>
      decisionRules(applicable.filter((entry) => entry.rule.decision === decision));
    rules = { block: of('block'), ask: of('ask'), allow: of('allow') };
    if (this.byTool.size >= TOOL_CACHE_LIMIT) this.byTool.clear();
    this.byTool.set(tool, rules);
    return rules;
  }

  evaluate(call: ToolCall): Evaluation {
    try {
      return this.judge(call);
    } catch {
      // Only an input beyond what JSON.stringify can walk (nested ~10,000 deep) gets here: a call
      // that cannot be read cannot be vouched for, and the hook fails closed the same way.
      return UNJUDGEABLE;
    }
  }

  private judge(call: ToolCall): Evaluation {
    const tool = typeof call.tool === 'string' ? call.tool : '';
    const rules = this.forTool(tool);
    if (rules.block.entries.length + rules.ask.entries.length + rules.allow.entries.length === 0) return NONE;
    const context = callSubjects({ ...call, tool });
    for (const decision of ['block', 'ask'] as const) {
      const hit = firstMatch(rules[decision], context.subjects, context);
      if (hit) return { decision, rule: hit.rule, reason: hit.rule.reason, matched: hit.matched };
    }
    return allowed(rules.allow, context) ?? NONE;
  }
}

function firstMatch(
  rules: DecisionRules,
  subjects: readonly Subject[],
  context: CallSubjects,
): { rule: PolicyRule; matched: string } | undefined {
  if (rules.entries.length === 0) return undefined;
  let best = Infinity;
  for (const subject of subjects) {
    const rank = bestRank(rules, subject, context);
    if (rank >= 0 && rank < best) best = rank;
    if (best === 0) break;
  }
  if (best === Infinity) return undefined;
  const entry = rules.entries[best]!;
  for (const subject of subjects) {
    const matched = entry.pattern.match(subject, context);
    if (matched !== undefined) return { rule: entry.rule, matched };
  }
  return undefined;
}

function allowed(rules: DecisionRules, context: CallSubjects): Evaluation | undefined {
  if (rules.entries.length === 0) return undefined;
  if (context.subjects.some((subject) => subject.opaque)) return undefined;
  const required = context.subjects.filter((subject) => !subject.judgeOnly);
  if (required.length === 0) return undefined;
  let best: { rank: number; subject: Subject } | undefined;
  for (const subject of required) {
    const rank = bestRank(rules, subject, context);
    if (rank < 0) return undefined;
    if (!best || rank < best.rank) best = { rank, subject };
  }
  if (!best) return undefined;
  const rule = rules.entries[best.rank]!.rule;
  return { decision: 'allow', rule, reason: rule.reason, matched: best.subject.text };
}

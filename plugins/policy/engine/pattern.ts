/**
 * A rule's `pattern`: a regex (RE2 syntax), a path glob, or `builtin:<key>`. Which one:
 *   - `re:…` forces a regex and `glob:…` a glob;
 *   - `builtin:<key>` names a built-in condition (builtins.ts);
 *   - otherwise a rule whose every tool alternative is a file tool (Read, Edit, Write, MultiEdit,
 *     NotebookEdit, NotebookRead, LS, Glob, Grep) takes a glob, and any other rule a regex.
 * An empty pattern (after any prefix) matches every call of the rule's tools.
 */
import { RE2JS } from 're2js';
import { BUILTIN_CONDITIONS } from './builtins.js';
import { compileGlob } from './glob.js';
import { FILE_TOOLS, type CallSubjects, type Subject } from './subjects.js';
import type { ToolMatcher } from './tool-matcher.js';
import { PolicyRuleError } from './types.js';

export type PatternKind = 'regex' | 'glob' | 'builtin';

export interface CompiledPattern {
  readonly kind: PatternKind;
  /** The pattern without its prefix. */
  readonly source: string;
  /** For regexes: the RE2 program (so a policy can batch them). */
  readonly regex?: RE2JS;
  /** What it matched in this subject (a part, a path, the input), or undefined. */
  match(subject: Subject, context: CallSubjects): string | undefined;
}

const MAX_PATTERN = 4000;
const FILE_TOOL_NAMES = new Set(Object.keys(FILE_TOOLS).map((name) => name.toLowerCase()));

function isFileToolRule(tool: ToolMatcher): boolean {
  return tool.alternatives.every((alternative) => FILE_TOOL_NAMES.has(alternative.toLowerCase()));
}

/** Compile a regex with RE2; its errors become PolicyRuleError('pattern'). */
export function compileRegex(source: string): RE2JS {
  try {
    return RE2JS.compile(source);
  } catch (error) {
    const message = (error as Error).message.replace(/^error parsing regexp: /, '');
    const hint = /\(\?[=!<]|\\[1-9]|\\k</.test(source)
      ? ' (RE2 syntax: lookaround and backreferences are not supported)'
      : '';
    throw new PolicyRuleError('pattern', `invalid regex: ${message}${hint}`);
  }
}

export function compilePattern(pattern: string, tool: ToolMatcher): CompiledPattern {
  if (typeof pattern !== 'string') throw new PolicyRuleError('pattern', 'must be a string');
  if (pattern.length > MAX_PATTERN) throw new PolicyRuleError('pattern', `must be at most ${MAX_PATTERN} characters`);
  if (pattern.startsWith('builtin:')) {
    const key = pattern.slice('builtin:'.length);
    const condition = Object.hasOwn(BUILTIN_CONDITIONS, key) ? BUILTIN_CONDITIONS[key] : undefined;
    if (!condition)
      throw new PolicyRuleError(
        'pattern',
        `unknown built-in ${JSON.stringify(key)} (known: ${Object.keys(BUILTIN_CONDITIONS).join(', ')})`,
      );
    return { kind: 'builtin', source: key, match: condition };
  }
  let kind: 'regex' | 'glob';
  let source: string;
  if (pattern.startsWith('re:')) [kind, source] = ['regex', pattern.slice(3)];
  else if (pattern.startsWith('glob:')) [kind, source] = ['glob', pattern.slice(5)];
  else [kind, source] = [isFileToolRule(tool) ? 'glob' : 'regex', pattern];

  if (source === '') return { kind, source, match: (subject) => subject.text };
  if (kind === 'glob') {
    const glob = compileGlob(source);
    return {
      kind,
      source,
      match(subject, context) {
        for (const path of subject.paths()) if (glob.matches(path, context.bases)) return path;
        return undefined;
      },
    };
  }
  const regex = compileRegex(source);
  return { kind, source, regex, match: (subject) => (regex.test(subject.text) ? subject.text : undefined) };
}

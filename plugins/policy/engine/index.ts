/**
 * The policy engine: pure (rules in, a decision out), no I/O. The policy plugin stores rules and
 * caches one CompiledPolicy per team; the PreToolUse hook asks the plugin. See README.md here.
 */
export { compilePolicy, validateRule, type CompileOptions, type CompiledPolicy } from './policy.js';
export { summarizeToolInput, SUMMARY_LIMIT } from './summarize.js';
export {
  BUILTIN_RULES,
  BUILTIN_CONDITIONS,
  isSecretPath,
  type BuiltinRule,
  type BuiltinCondition,
} from './builtins.js';
export { splitShell, type CommandPart, type ShellSplit } from './shell-split.js';
export { writeTargets, WRITE_TOOLS, type WriteTargets } from './writes.js';
export { PolicyRuleError, type Evaluation, type PolicyRule, type RuleDecision, type ToolCall } from './types.js';

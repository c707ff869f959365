import * as v from 'valibot';
import { f, invalidInput, operationsFor } from '../../core/index.js';
import { validateRule } from './engine/index.js';
import { policyErrors } from './errors.js';
import {
  inputPattern,
  limit,
  offset,
  policyId,
  priority,
  ruleDecision,
  ruleName,
  ruleReason,
  since,
  toolInput,
  toolName,
  toolPattern,
  workingDir,
} from './fields.js';
import type { PolicyApi } from './index.js';
import { DEFAULT_PRIORITY, policyView } from './rule-store.js';
import { VIOLATIONS } from './audit-log.js';

const op = operationsFor<PolicyApi>();

/** A tool or pattern the engine cannot compile is a 400 naming the field, before anything is stored. */
function checkRule(rule: { tool: string; pattern: string }): void {
  const problem = validateRule(rule);
  if (problem) throw invalidInput(problem.field, problem.message.replace(/^(tool|pattern): /, ''));
}

export const createPolicy = op({
  name: 'createPolicy',
  summary:
    'Create a rule: block, ask (a lead approves) or allow the tool calls it matches; ' +
    'tool names tools (Bash, Edit|Write, mcp__*), pattern is a regex over the input or a path glob for file tools',
  access: 'lead',
  input: v.object({
    name: ruleName,
    decision: ruleDecision,
    tool: toolPattern,
    pattern: inputPattern,
    reason: ruleReason,
    priority: v.optional(priority),
    enabled: v.optional(f.flag),
    twoPerson: v.optional(f.flag),
  }),
  http: { method: 'POST', path: '/policies', status: 201 },
  tools: [{ name: 'policy_create', rename: { two_person: 'twoPerson' } }],
  run({ input, caller, api }) {
    checkRule(input);
    return api.rules.create(caller, {
      ...input,
      priority: input.priority ?? DEFAULT_PRIORITY,
      enabled: input.enabled ?? true,
      twoPerson: input.twoPerson ?? false,
    });
  },
});

export const listPolicies = op({
  name: 'listPolicies',
  summary: "Your team's rules, highest priority first",
  access: 'agent',
  input: v.object({ enabled: v.optional(f.flag), decision: v.optional(ruleDecision) }),
  http: { method: 'GET', path: '/policies' },
  tools: [{ name: 'policy_list' }],
  run: ({ input, caller, api }) => api.rules.list(caller.teamName, input),
});

export const getPolicy = op({
  name: 'getPolicy',
  summary: 'One rule of your team',
  access: 'agent',
  input: v.object({ id: policyId }),
  http: { method: 'GET', path: '/policies/:id' },
  tools: [{ name: 'policy_get' }],
  run: async ({ input, caller, api }) => policyView(await api.rules.require(caller.teamName, input.id)),
});

export const updatePolicy = op({
  name: 'updatePolicy',
  summary: 'Change a rule (any of its fields); the new rule applies to the next tool call',
  access: 'lead',
  input: v.object({
    id: policyId,
    name: v.optional(ruleName),
    decision: v.optional(ruleDecision),
    tool: v.optional(toolPattern),
    pattern: v.optional(inputPattern),
    reason: v.optional(ruleReason),
    priority: v.optional(priority),
    enabled: v.optional(f.flag),
    twoPerson: v.optional(f.flag),
  }),
  http: { method: 'PATCH', path: '/policies/:id' },
  tools: [{ name: 'policy_update', rename: { two_person: 'twoPerson' } }],
  async run({ input, caller, api }) {
    const { id, ...fields } = input;
    if (Object.values(fields).every((value) => value === undefined)) throw policyErrors.POLICY_NOTHING_TO_CHANGE();
    const current = await api.rules.require(caller.teamName, id);
    if (fields.tool !== undefined || fields.pattern !== undefined)
      checkRule({ tool: fields.tool ?? current.tool, pattern: fields.pattern ?? current.pattern });
    return api.rules.update(caller.teamName, id, fields);
  },
});

export const deletePolicy = op({
  name: 'deletePolicy',
  summary: 'Delete a rule',
  access: 'lead',
  input: v.object({ id: policyId }),
  http: { method: 'DELETE', path: '/policies/:id' },
  tools: [{ name: 'policy_delete' }],
  run: ({ input, caller, api }) => api.rules.delete(caller.teamName, input.id),
});

export const evaluatePolicy = op({
  name: 'evaluatePolicy',
  summary:
    'What the rules decide for a tool call (as Claude Code sends it to a PreToolUse hook), without recording it: ' +
    'block, ask or allow, and the rule; allow with default: true when no rule matches',
  access: 'agent',
  input: v.object({ tool: toolName, input: toolInput, cwd: v.optional(workingDir) }),
  http: { method: 'POST', path: '/policies/evaluate' },
  tools: [{ name: 'policy_evaluate' }],
  async run({ input, caller, api }) {
    const evaluation = await api.enforcer.evaluate(caller, input);
    if (evaluation.decision === 'none') return { decision: 'allow', default: true };
    const { rule } = evaluation;
    return {
      decision: evaluation.decision,
      default: false,
      rule: rule ? { id: rule.id, name: rule.name } : undefined,
      reason: evaluation.reason ?? rule?.reason,
      matched: evaluation.matched,
    };
  },
});

export const checkToolCall = op({
  name: 'checkToolCall',
  summary:
    "The enforcing hook's check of one of your own tool calls: recorded; allow, deny, ask (then wait on the " +
    'approval) or none (no rule matched: your permission mode decides); an allow or none may carry `context`, ' +
    "other plugins' notes for the agent (the hook gives them as additionalContext)",
  access: 'agent',
  input: v.object({
    tool: toolName,
    input: toolInput,
    toolUseId: v.optional(f.text({ max: 200 })),
    sessionId: v.optional(f.text({ max: 200 })),
    cwd: v.optional(workingDir),
  }),
  http: { method: 'POST', path: '/policies/check' },
  async run({ input, caller, api }) {
    const answer = await api.enforcer.check(caller, input);
    if (answer.decision !== 'allow' && answer.decision !== 'none') return answer;
    const context = await api.contextFor(caller, input);
    return context === undefined ? answer : { ...answer, context };
  },
});

const auditQuery = {
  agent: v.optional(f.handle),
  ruleId: v.optional(f.text({ min: 1, max: 100 })),
  since: v.optional(since),
  limit: v.optional(limit),
  offset: v.optional(offset),
};

export const listViolations = op({
  name: 'listViolations',
  summary: 'Tool calls the policy stopped (blocked, or asks denied or expired), newest first',
  access: 'lead',
  input: v.object(auditQuery),
  http: { method: 'GET', path: '/policies/violations' },
  tools: [{ name: 'policy_violations', rename: { rule_id: 'ruleId' } }],
  run: ({ input, caller, api }) =>
    api.audit.list(caller.teamName, {
      ...input,
      outcomes: VIOLATIONS,
      limit: input.limit ?? 50,
      offset: input.offset ?? 0,
    }),
});

export const listAudit = op({
  name: 'listAudit',
  summary:
    'The audit trail: every rule outcome on a tool call and every decision on an ask (who, when, what, which rule)',
  access: 'lead',
  input: v.object({
    ...auditQuery,
    outcome: v.optional(f.oneOf(['blocked', 'asked', 'allowed', 'approved', 'denied', 'expired'] as const)),
  }),
  http: { method: 'GET', path: '/policies/audit' },
  tools: [{ name: 'policy_audit', rename: { rule_id: 'ruleId' } }],
  run: ({ input, caller, api }) =>
    api.audit.list(caller.teamName, {
      ...input,
      outcomes: input.outcome ? [input.outcome] : undefined,
      limit: input.limit ?? 50,
      offset: input.offset ?? 0,
    }),
});

export const policyStats = op({
  name: 'policyStats',
  summary: 'Counts: rules, and outcomes by kind and by rule (since a time, or all)',
  access: 'agent',
  input: v.object({ since: v.optional(since) }),
  http: { method: 'GET', path: '/policies/stats' },
  tools: [{ name: 'policy_stats' }],
  async run({ input, caller, api }) {
    const [rules, enabled, outcomes, pending, builtin] = await Promise.all([
      api.rules.count(caller.teamName),
      api.rules.list(caller.teamName, { enabled: true }),
      api.audit.stats(caller.teamName, input.since),
      api.approvals.countPending(caller.teamName),
      api.builtinOn(caller.teamName),
    ]);
    return {
      rules: { total: rules, enabled: enabled.length, builtin },
      decisions: outcomes,
      approvals: { pending },
    };
  },
});

export const listBuiltinRules = op({
  name: 'listBuiltinRules',
  summary: 'The built-in rule set (rm -rf /, force pushes, reset --hard, secrets, curl | sh) and whether it is on',
  access: 'agent',
  input: v.object({}),
  http: { method: 'GET', path: '/policies/builtin' },
  tools: [{ name: 'policy_builtin_list' }],
  run: async ({ caller, api }) => ({
    enabled: await api.builtinOn(caller.teamName),
    everyTeam: api.options.builtin,
    rules: api.builtinRules(),
  }),
});

export const setBuiltinRules = op({
  name: 'setBuiltinRules',
  summary: 'Switch the built-in rule set on or off for your team',
  access: 'lead',
  input: v.object({ enabled: f.flag }),
  http: { method: 'POST', path: '/policies/builtin' },
  tools: [{ name: 'policy_builtin' }],
  async run({ input, caller, api }) {
    await api.rules.setBuiltin(caller, input.enabled);
    return {
      enabled: await api.builtinOn(caller.teamName),
      everyTeam: api.options.builtin,
      rules: api.builtinRules(),
    };
  },
});

export const policyOperations = [
  createPolicy,
  listPolicies,
  listBuiltinRules,
  setBuiltinRules,
  listViolations,
  listAudit,
  policyStats,
  evaluatePolicy,
  checkToolCall,
  getPolicy,
  updatePolicy,
  deletePolicy,
];

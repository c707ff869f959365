import { definePlugin, type Identity, isLead } from '../../core/index.js';
import type { WorkersApi } from '../workers/index.js';
import { ApprovalService } from './approval-service.js';
import { AuditLog } from './audit-log.js';
import { ContextSources, type PolicyContextSource } from './context-sources.js';
import { homedir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { BUILTIN_RULES, type WriteTargets, writeTargets } from './engine/index.js';
import { PolicyEnforcer } from './enforcer.js';
import { GateSet, type PolicyGate } from './gates.js';
import { policyHookSettings } from './hook-settings.js';
import { policyErrors } from './errors.js';
import { POLICY_TOPIC, policyEvents } from './events.js';
import { policiesMigration } from './migrations/0001-policies.js';
import { approvalItemsMigration } from './migrations/0002-approval-items.js';
import { approvalOperations } from './operations-approvals.js';
import { policyOperations } from './operations-policies.js';
import { type PolicyOptions, policyOptionsSchema } from './options.js';
import { RuleStore } from './rule-store.js';
import { policyTables } from './tables.js';

export type { ItemDecision, ItemHandler, ItemRequest } from './approval-items.js';
export type { Approval } from './approval-service.js';
export type { AuditEntry } from './audit-log.js';
export type { PolicyContextSource } from './context-sources.js';
export type { CheckAnswer, CheckRequest } from './enforcer.js';
export type { GateRequest, PolicyGate } from './gates.js';
export type { WriteTargets } from './engine/index.js';
export type { PolicyView } from './rule-store.js';

/** What dependents (and this plugin's operations) get from ctx.use('policy'). */
export interface PolicyApi {
  rules: RuleStore;
  approvals: ApprovalService;
  audit: AuditLog;
  enforcer: PolicyEnforcer;
  options: PolicyOptions;
  /** Whether the built-in rule set applies to a team (on for every team in the config, or switched on). */
  builtinOn(teamName: string): Promise<boolean>;
  builtinRules(): readonly { name: string; tool: string; reason: string; description: string }[];
  /**
   * Add a gate: every tool call checked by POST /policies/check (the workers' hook) passes the gates,
   * in the order added, before the rules; the first to answer `{ reason }` denies it. Returns its remover.
   */
  addGate(gate: PolicyGate): () => void;
  /**
   * Add a context source: for every tool call POST /policies/check lets through (allow or none), each
   * source may return text for the agent, which the hook prints as hookSpecificOutput.additionalContext.
   * Sources run together, bounded in time; one that fails or is slow is left out (logged), and the
   * decision is never changed by them. Returns its remover.
   */
  addContextSource(source: PolicyContextSource): () => void;
  /**
   * The paths one tool call writes (file tools' paths; Bash through the splitter: redirections, tee,
   * sed -i, mv/cp/rm…, git checkout/restore/apply, patch, interpreter one-liners), resolved against
   * `cwd` (and `~` against the fleet's home); `unknown` when a writing part names a path it cannot
   * read ($VAR, $(…), xargs). Pure and synchronous: a gate may call it on every tool call.
   */
  writeTargets(call: { tool: string; input: Record<string, unknown>; cwd?: string }): WriteTargets;
  /** The sources' text for one tool call of the caller's (undefined when none has any). */
  contextFor(
    caller: Identity,
    request: { tool: string; input: Record<string, unknown>; cwd?: string },
  ): Promise<string | undefined>;
}

export const policy = definePlugin({
  name: 'policy',
  description:
    'Rules that block, ask or allow tool calls, enforced on Claude Code workers by a fail-closed hook; ' +
    "an approvals inbox for asks (and for other plugins' items); gates other plugins put before the rules; " +
    'violations and an audit trail.',
  dependsOn: ['auth'],
  optionalDependsOn: ['workers'],
  config: policyOptionsSchema,
  tables: policyTables,
  migrations: { '0001_policies': policiesMigration, '0002_approval_items': approvalItemsMigration },
  errors: policyErrors,
  events: policyEvents,
  operations: [...policyOperations, ...approvalOperations],
  panel: { entry: fileURLToPath(new URL('./panel/index.js', import.meta.url)), title: 'Policy', order: 60 },
  topics: [
    {
      prefix: POLICY_TOPIC.prefix,
      key: POLICY_TOPIC.key,
      authorize: (identity, id) => id === POLICY_TOPIC.id && isLead(identity),
    },
  ],
  setup(ctx): PolicyApi {
    const options = ctx.options;
    const rules = new RuleStore(ctx.db);
    const audit = new AuditLog(ctx.db);
    const approvals = new ApprovalService(ctx.db, audit, ctx.events.emit, () => options, ctx.log);
    const workers = () => ctx.use<WorkersApi | undefined>('workers');
    const gates = new GateSet(ctx.log);
    const contexts = new ContextSources(ctx.log);
    const enforcer = new PolicyEnforcer(
      rules,
      approvals,
      audit,
      () => options.builtin,
      async (teamName, handle) => {
        const row = await workers()?.manager.store.get(teamName, handle);
        return row ? { cwd: row.cwd, worktree: row.worktree_path ?? undefined } : undefined;
      },
      (teamName, violation) => ctx.events.emit('policy_violation', teamName, { violation }),
      gates,
    );
    ctx.health.count('policies', (team) => rules.count(team));
    ctx.health.count('approvalsPending', (team) => approvals.countPending(team));
    return {
      rules,
      approvals,
      audit,
      enforcer,
      options,
      builtinOn: async (teamName) => options.builtin || (await rules.builtinEnabled(teamName)),
      builtinRules: () =>
        BUILTIN_RULES.map(({ name, tool, reason, description }) => ({ name, tool, reason, description })),
      addGate: (gate) => gates.add(gate),
      writeTargets: (call) => writeTargets({ tool: call.tool, input: call.input, cwd: call.cwd, home: homedir() }),
      addContextSource: (source) => contexts.add(source),
      contextFor: (caller, request) => contexts.gather(caller, request),
    };
  },
  async start(ctx, api) {
    await api.approvals.start();
    // Every Claude Code worker spawned from now on asks this plugin before each tool call. Its
    // settings files stay unread unless named (a `disableAllHooks` written there turns the hook off).
    const workers = ctx.use<WorkersApi | undefined>('workers');
    if (workers)
      ctx.onStop(
        workers.addLaunchGuard({
          name: 'policy',
          claudeSettings: policyHookSettings({ approvalTimeoutSeconds: api.options.approvals.timeoutSeconds }),
          settingSources: api.options.claudeSettingSources,
          strict: () => api.options.strict,
        }),
      );
  },
  stop(_ctx, api) {
    api.approvals.stop();
  },
});

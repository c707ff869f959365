import { homedir } from 'node:os';
import type { Identity } from '../../core/index.js';
import type { ApprovalService } from './approval-service.js';
import type { AuditLog } from './audit-log.js';
import { toolCallHash } from './canonical-hash.js';
import { type CompiledPolicy, compilePolicy, summarizeToolInput } from './engine/index.js';
import type { Evaluation, ToolCall } from './engine/types.js';
import type { GateDenial, GateSet } from './gates.js';
import type { RuleStore } from './rule-store.js';

/** What the hook sends for one tool call (from Claude Code's PreToolUse input). */
export interface CheckRequest {
  tool: string;
  input: Record<string, unknown>;
  toolUseId?: string;
  sessionId?: string;
  cwd?: string;
}

/**
 * The hook's answer. `none`: no rule matched, so the agent's own permission mode decides; `ask`:
 * wait on `approvalId` (POST /approvals/:id/wait) until a lead decides or it expires.
 */
export interface CheckAnswer {
  decision: 'allow' | 'deny' | 'ask' | 'none';
  reason?: string;
  rule?: { id: string; name: string };
  /** The gate that denied the call (gates run before the rules). */
  gate?: string;
  approvalId?: string;
  expiresAt?: string;
  /** Other plugins' notes for the agent on an allow or none (PolicyApi.addContextSource). */
  context?: string;
}

/** Where a worker stands, for rules about paths (its cwd, its own worktree). */
export type WorkerPlace = (
  teamName: string,
  handle: string,
) => Promise<{ cwd?: string; worktree?: string } | undefined>;

interface TeamPolicy {
  version: number;
  builtin: boolean;
  compiled: CompiledPolicy;
  /** Who created each stored rule (two-person rules may exclude them). */
  creators: Map<string, string>;
}

/**
 * Judges tool calls: the team's rules (and the built-in set when on), compiled once per change,
 * then block → a violation, ask → an approval, allow by a rule → recorded, no match → `none`.
 */
export class PolicyEnforcer {
  private readonly teams = new Map<string, TeamPolicy>();

  constructor(
    private readonly rules: RuleStore,
    private readonly approvals: ApprovalService,
    private readonly audit: AuditLog,
    private readonly builtinForAll: () => boolean,
    private readonly workerPlace: WorkerPlace,
    private readonly onViolation: (teamName: string, entry: Awaited<ReturnType<AuditLog['record']>>) => void,
    private readonly gates: GateSet,
  ) {}

  async policyFor(teamName: string): Promise<TeamPolicy> {
    const version = this.rules.version(teamName);
    const builtin = this.builtinForAll() || (await this.rules.builtinEnabled(teamName));
    const cached = this.teams.get(teamName);
    if (cached && cached.version === version && cached.builtin === builtin) return cached;
    const stored = await this.rules.list(teamName, { enabled: true });
    const rows = await this.rules.creatorsOf(teamName);
    const policy: TeamPolicy = {
      version,
      builtin,
      compiled: compilePolicy(stored, { builtins: builtin }),
      creators: rows,
    };
    this.teams.set(teamName, policy);
    return policy;
  }

  /** The call as the engine sees it: the worker's own worktree comes from the fleet, not the request. */
  async toolCall(caller: Identity, request: { tool: string; input: Record<string, unknown>; cwd?: string }) {
    const place = await this.workerPlace(caller.teamName, caller.handle);
    const call: ToolCall = {
      tool: request.tool,
      input: request.input,
      // Claude Code's current directory (a `cd` in one Bash call carries into the next) over the
      // one the worker was spawned in: relative paths resolve where the agent really is.
      cwd: request.cwd ?? place?.cwd,
      worktree: place?.worktree,
      // Workers run with the fleet's environment, so `~` in their commands is the fleet's home.
      home: homedir(),
    };
    return call;
  }

  /** A dry run (POST /policies/evaluate): nothing is recorded. */
  async evaluate(caller: Identity, request: { tool: string; input: Record<string, unknown>; cwd?: string }) {
    const policy = await this.policyFor(caller.teamName);
    return policy.compiled.evaluate(await this.toolCall(caller, request));
  }

  /** The hook's check of one tool call of the caller's own. */
  async check(caller: Identity, request: CheckRequest): Promise<CheckAnswer> {
    // Gates first, in the order added (none: one comparison, nothing else).
    if (this.gates.size > 0) {
      const denial = await this.gates.run(caller, request);
      if (denial) return this.gateDenied(caller, request, denial);
    }
    const policy = await this.policyFor(caller.teamName);
    const call = await this.toolCall(caller, request);
    const evaluation: Evaluation = policy.compiled.evaluate(call);
    if (evaluation.decision === 'none') return { decision: 'none' };
    const rule = evaluation.rule ? { id: evaluation.rule.id, name: evaluation.rule.name } : undefined;
    const reason = evaluation.reason ?? evaluation.rule?.reason;
    const summary = summarizeToolInput(request.tool, request.input);
    const inputHash = toolCallHash(request.tool, request.input, call.cwd);
    const record = {
      agent_uid: caller.uid,
      agent_handle: caller.handle,
      actor_handle: 'rule',
      tool: request.tool,
      summary,
      input_hash: inputHash,
      rule_id: rule?.id ?? null,
      rule_name: rule?.name ?? null,
      reason: reason ?? null,
      approval_id: null,
      note: null,
    };
    if (evaluation.decision === 'block') {
      const entry = await this.audit.record(caller.teamName, { ...record, outcome: 'blocked' });
      this.onViolation(caller.teamName, entry);
      return { decision: 'deny', reason: denial(rule?.name, reason), rule };
    }
    if (evaluation.decision === 'allow') {
      await this.audit.record(caller.teamName, { ...record, outcome: 'allowed' });
      return { decision: 'allow', reason: rule ? `Allowed by fleet policy "${rule.name}"` : undefined, rule };
    }
    // ask: an approval already given for exactly this call lets it run once; a pending one is joined.
    const used = await this.approvals.useApproved(caller, inputHash);
    if (used) {
      await this.approvals.recordRun(used);
      return { decision: 'allow', reason: `Approved by ${used.decided_by_handle ?? 'a lead'}`, rule };
    }
    const pending =
      (await this.approvals.pendingFor(caller, inputHash)) ??
      (await this.approvals.request({
        requester: caller,
        tool: request.tool,
        input: request.input,
        inputHash,
        summary,
        rule: evaluation.rule
          ? {
              id: evaluation.rule.id,
              name: evaluation.rule.name,
              twoPerson: evaluation.rule.twoPerson,
              createdByUid: policy.creators.get(evaluation.rule.id) ?? null,
            }
          : undefined,
        reason,
      }));
    return {
      decision: 'ask',
      reason: reason ?? 'A lead must approve this call',
      rule,
      approvalId: pending.id,
      expiresAt: new Date(Number(pending.expires_at)).toISOString(),
    };
  }

  /** A gate's denial is recorded and announced as a rule's block is, under the rule name `gate:<name>`. */
  private async gateDenied(caller: Identity, request: CheckRequest, denial: GateDenial): Promise<CheckAnswer> {
    const call = await this.toolCall(caller, request);
    const entry = await this.audit.record(caller.teamName, {
      outcome: 'blocked',
      agent_uid: caller.uid,
      agent_handle: caller.handle,
      actor_handle: 'gate',
      tool: request.tool,
      summary: summarizeToolInput(request.tool, request.input),
      input_hash: toolCallHash(request.tool, request.input, call.cwd),
      rule_id: null,
      rule_name: `gate:${denial.gate}`,
      reason: denial.reason,
      approval_id: null,
      note: denial.failed ? 'the gate failed' : null,
    });
    this.onViolation(caller.teamName, entry);
    return { decision: 'deny', reason: denial.reason, gate: denial.gate };
  }
}

function denial(ruleName: string | undefined, reason: string | undefined): string {
  const named = ruleName ? `Fleet policy "${ruleName}"` : 'Fleet policy';
  return reason ? `${named}: ${reason}` : `${named} blocks this call`;
}

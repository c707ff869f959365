import type { Identity, Logger } from '../../core/index.js';

/** What a gate is asked about: the tool call, and the directory it runs in when the hook said. */
export interface GateRequest {
  tool: string;
  input: Record<string, unknown>;
  /** Claude Code's current directory for the call (relative paths in the input resolve against it). */
  cwd?: string;
}

/**
 * A check another plugin adds in front of the rules (the budgets plugin stops a worker over its
 * budget this way, the leases plugin a write to a path another agent holds): it answers `{ reason }`
 * to deny the tool call, or undefined to let the rules decide.
 */
export interface PolicyGate {
  name: string;
  check(caller: Identity, request: GateRequest): Promise<{ reason: string } | undefined>;
}

/** A gate's denial: the gate's own reason, or, when the gate failed, one saying so. */
export interface GateDenial {
  gate: string;
  reason: string;
  failed: boolean;
}

/** The gates, in the order they were added; the first that answers decides. */
export class GateSet {
  private entries: { gate: PolicyGate }[] = [];

  constructor(private readonly log: Logger) {}

  get size(): number {
    return this.entries.length;
  }

  /** Returns its remover (idempotent; the same gate added twice is removed once per remover). */
  add(gate: PolicyGate): () => void {
    const entry = { gate };
    // A new array each time: a check running over the old one is not disturbed.
    this.entries = [...this.entries, entry];
    this.log.info(`policy gate ${gate.name} added: every checked tool call passes it first`);
    let removed = false;
    return () => {
      if (removed) return;
      removed = true;
      this.entries = this.entries.filter((e) => e !== entry);
      this.log.info(`policy gate ${gate.name} removed`);
    };
  }

  /** Run the gates in order; the first denial, or undefined when every gate lets the call on. */
  async run(caller: Identity, request: GateRequest): Promise<GateDenial | undefined> {
    for (const { gate } of this.entries) {
      let answer: { reason: string } | undefined;
      try {
        const asked: GateRequest = { tool: request.tool, input: request.input };
        if (request.cwd !== undefined) asked.cwd = request.cwd;
        answer = await gate.check(caller, asked);
      } catch (error) {
        // Fail closed: a gate that cannot tell denies (the agent retries; the log says why).
        this.log.error(`policy gate ${gate.name} failed, so the tool call is denied`, {
          gate: gate.name,
          team: caller.teamName,
          agent: caller.handle,
          tool: request.tool,
          error: error instanceof Error ? error.message : String(error),
        });
        return {
          gate: gate.name,
          reason: `Fleet policy gate "${gate.name}" failed, so this call is denied; try again later or tell your lead`,
          failed: true,
        };
      }
      if (answer === undefined || answer === null) continue;
      const given = typeof answer === 'object' && typeof answer.reason === 'string' ? answer.reason.trim() : '';
      return { gate: gate.name, reason: given || `Fleet policy gate "${gate.name}" denies this call`, failed: false };
    }
    return undefined;
  }
}

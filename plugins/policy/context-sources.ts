import type { Identity, Logger } from '../../core/index.js';

/**
 * Text another plugin adds to a tool call the policy lets through (allow, or no rule: `none`): the
 * hook gives it to the agent as `hookSpecificOutput.additionalContext` (the swarm plugin warns of a
 * file another live worker is editing). It never decides anything: a source that fails or is slow
 * is left out, and the decision stands (the hook stays fail-closed on the decision alone).
 */
export interface PolicyContextSource {
  name: string;
  context(
    caller: Identity,
    request: { tool: string; input: Record<string, unknown>; cwd?: string },
  ): Promise<string | undefined>;
}

/** How long the sources together may add to a check (each one past it is left out). */
export const CONTEXT_TIMEOUT_MS = 300;
/** The most context one tool call carries. */
export const MAX_CONTEXT_CHARS = 4000;

export class ContextSources {
  private entries: { source: PolicyContextSource }[] = [];

  constructor(
    private readonly log: Logger,
    private readonly timeoutMs = CONTEXT_TIMEOUT_MS,
  ) {}

  get size(): number {
    return this.entries.length;
  }

  /** Returns its remover (idempotent; the same source added twice is removed once per remover). */
  add(source: PolicyContextSource): () => void {
    const entry = { source };
    // A new array each time: a gather running over the old one is not disturbed.
    this.entries = [...this.entries, entry];
    let removed = false;
    return () => {
      if (removed) return;
      removed = true;
      this.entries = this.entries.filter((e) => e !== entry);
    };
  }

  /** Every source's text, in the order added, joined by blank lines; undefined when none has any. */
  async gather(
    caller: Identity,
    request: { tool: string; input: Record<string, unknown>; cwd?: string },
  ): Promise<string | undefined> {
    if (this.entries.length === 0) return undefined;
    const texts = await Promise.all(this.entries.map(({ source }) => this.one(source, caller, request)));
    const joined = texts.filter((text): text is string => typeof text === 'string' && text.trim() !== '').join('\n\n');
    if (joined === '') return undefined;
    return joined.length > MAX_CONTEXT_CHARS ? `${joined.slice(0, MAX_CONTEXT_CHARS - 1)}…` : joined;
  }

  private async one(
    source: PolicyContextSource,
    caller: Identity,
    request: { tool: string; input: Record<string, unknown>; cwd?: string },
  ): Promise<string | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), this.timeoutMs);
      timer.unref?.();
    });
    try {
      const text = await Promise.race([source.context(caller, request), late]);
      if (text === 'late') {
        this.log.warn(`policy context source ${source.name} took over ${this.timeoutMs} ms: left out`, {
          team: caller.teamName,
          agent: caller.handle,
        });
        return undefined;
      }
      return text;
    } catch (error) {
      this.log.warn(`policy context source ${source.name} failed: left out`, {
        team: caller.teamName,
        agent: caller.handle,
        error: error instanceof Error ? error.message : String(error),
      });
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }
}

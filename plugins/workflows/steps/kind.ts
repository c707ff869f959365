import type * as v from 'valibot';
import type { Logger } from '../../../core/index.js';
import type { WorkflowsApi } from '../index.js';

/** One step being run by the engine: what a kind sees. */
export interface StepRun {
  team: string;
  execution: { id: string; workflowId: string; swarmId: string | null; createdBy: string };
  step: { id: string; key: string; type: string; config: Record<string, unknown>; attempt: number };
  /** Template context: { inputs, steps: { <key>: { status, output } }, execution }; config strings are already
   *  resolved from `{{inputs.x}}` / `{{steps.k.output.y}}` by the engine. */
  context: Record<string, unknown>;
  /** What this step saved before (undefined on a first start): e.g. the spawned worker's handle, the task id. */
  state: Record<string, unknown> | undefined;
  /** Persist state in the step's row now (its own transaction): call it BEFORE awaiting a side effect whose id
   *  you chose, so a restart re-attaches instead of acting twice. */
  saveState(state: Record<string, unknown>): Promise<void>;
  api: WorkflowsApi;
  signal: AbortSignal; // aborted on cancel, pause or server stop
  log: Logger;
}

export type StepOutcome =
  // evidence: the exit code, the task's resolution, the worker's result event
  | { status: 'succeeded'; output: Record<string, unknown>; evidence: string }
  | { status: 'failed'; error: string; output?: Record<string, unknown>; evidence?: string }
  | { status: 'waiting'; recheckAt?: number /* epoch ms; default: the engine's poll interval */ };

export interface StepKind {
  type: string;
  /** valibot schema of `config`; definitions are validated with it: 400 naming `definition.steps[i].config.<field>`. */
  config: v.GenericSchema;
  /**
   * Top-level config fields whose text reaches an agent (a prompt, a message, a task's description): values the
   * engine fills into them from other steps' outputs, or from inputs an event or another agent gave, arrive in a
   * data fence naming where they came from, never as instructions. What the definition's author wrote stays as is.
   */
  prose?: readonly string[];
  /** First run, and again after a restart while the step is running (state then set): must be idempotent. */
  run(step: StepRun): Promise<StepOutcome>;
  /** Re-check a waiting step (default: run again). */
  check?(step: StepRun): Promise<StepOutcome>;
  /** Undo/stop what a running step started, on cancel (e.g. dismiss the worker it spawned). Best effort. */
  cancel?(step: StepRun): Promise<void>;
}

/** A fleet event the engine kept (the `wait` kind's `event` mode reads them). */
export interface KeptEvent {
  type: string;
  team: string;
  data: Record<string, unknown>;
  /** epoch ms */
  ts: number;
}

/**
 * The seam for the `wait` kind's event mode (agreed here, provided by the engine as `api.engine.waitForEvent`):
 * a non-blocking lookup. It resolves with the first kept event of `team` whose type is `type`, published at or
 * after `since` (epoch ms), whose data matches every key of `filter` (top-level equality), or undefined when
 * none is kept yet; the step then stays `waiting` and is checked again. The engine keeps recent events of every
 * team it has executions for (from the event spine, subscribed at start), at least `since` the oldest waiting
 * step, so a restart loses only events published while the server was down.
 */
export type WaitForEvent = (
  team: string,
  type: string,
  filter: Record<string, unknown>,
  since: number,
) => Promise<KeptEvent | undefined>;

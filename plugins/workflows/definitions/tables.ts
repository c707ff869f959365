import type { Generated } from 'kysely';

/** Times are ms since the epoch; JSON columns are text. */
export interface WorkflowsTable {
  /** uuid (the seed's ids). */
  id: string;
  team_name: string;
  name: string;
  description: string | null;
  /** 1 at creation, +1 per PATCH. */
  version: number;
  /** JSON: the validated definition (steps, inputs, outputs, timeoutMs). */
  definition: string;
  is_template: number;
  created_by: string;
  /** The seed's examples are seeded once per team: their key, else null. */
  seed_key: string | null;
  created_at: number;
  updated_at: number;
}

export type ExecutionStatus = 'running' | 'paused' | 'completed' | 'failed' | 'cancelled';

export interface WorkflowExecutionsTable {
  id: string;
  team_name: string;
  workflow_id: string;
  /** The definition's version this execution runs (its steps were copied at start). */
  workflow_version: number;
  swarm_id: string | null;
  status: ExecutionStatus;
  /** JSON: { inputs } (step outputs live in the steps' rows). */
  context: string;
  /** JSON: the definition's `outputs` resolved at completion. */
  outputs: string | null;
  error: string | null;
  created_by: string;
  /** 'route' | 'tool' | 'trigger:<id>' | 'schedule:<id>' | 'template:<id>' | ... */
  started_by: string;
  started_at: number | null;
  completed_at: number | null;
  /** started_at + the definition's timeoutMs (null: no limit); past it the execution fails. */
  deadline_at: number | null;
  created_at: number;
  updated_at: number;
}

export type StepStatus = 'pending' | 'ready' | 'running' | 'waiting' | 'succeeded' | 'failed' | 'skipped' | 'cancelled';

export interface WorkflowStepsTable {
  id: string;
  team_name: string;
  execution_id: string;
  /** Position in the definition (steps list in this order). */
  position: number;
  step_key: string;
  name: string;
  step_type: string;
  status: StepStatus;
  /** JSON: the step's config as written (templates unresolved). */
  config: string;
  /** JSON: string[] of step keys. */
  depends_on: string;
  /** Dependencies not settled yet; the step becomes ready at 0. */
  blocked_by_count: number;
  /** JSON: { type, condition } or null. */
  guard: string | null;
  on_failure: string;
  max_retries: number;
  backoff_ms: number | null;
  timeout_ms: number | null;
  /** JSON: { maxCostUsd?, maxTokens? } or null. */
  budget: string | null;
  /** Runs of this step so far (a re-attach after a restart is not a new attempt). */
  attempt: number;
  retry_count: number;
  /** JSON: what the kind saved (saveState), kept across restarts. */
  state: string | null;
  output: string | null;
  error: string | null;
  /** Why it succeeded or failed: exit code, task resolution, result event, `manual by <handle>`. */
  evidence: string | null;
  /** The claim of the engine running it: a token, renewed while it runs (lease). */
  claim_token: string | null;
  claim_expires_at: number | null;
  /** A ready or waiting step is not looked at before this (backoff, recheckAt). */
  run_after: number | null;
  /** The current attempt's deadline (timeoutMs), epoch ms. */
  deadline_at: number | null;
  completed_by: string | null;
  started_at: number | null;
  completed_at: number | null;
  updated_at: number;
}

export interface WorkflowEventsTable {
  id: Generated<number>;
  team_name: string;
  execution_id: string;
  step_id: string | null;
  event_type: string;
  actor: string | null;
  /** JSON */
  details: string | null;
  created_at: number;
}

export interface WorkflowTriggersTable {
  id: string;
  team_name: string;
  workflow_id: string;
  trigger_type: 'event' | 'schedule' | 'webhook' | 'blackboard';
  /** JSON: the trigger's config. */
  config: string;
  is_enabled: number;
  created_by: string;
  last_fired_at: number | null;
  fire_count: number;
  /** Schedule triggers: the next slot (epoch ms); blackboard triggers: the newest message time seen. */
  cursor: number | null;
  created_at: number;
}

/** One row per firing: the (trigger, dedupe key) primary key makes a trigger fire once per event. */
export interface WorkflowTriggerFiringsTable {
  trigger_id: string;
  dedupe_key: string;
  team_name: string;
  execution_id: string | null;
  error: string | null;
  created_at: number;
}

export interface DefinitionsTables {
  workflows: WorkflowsTable;
  workflow_executions: WorkflowExecutionsTable;
  workflow_steps: WorkflowStepsTable;
  workflow_events: WorkflowEventsTable;
  workflow_triggers: WorkflowTriggersTable;
  workflow_trigger_firings: WorkflowTriggerFiringsTable;
}

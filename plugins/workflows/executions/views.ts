import { iso } from '../definitions/views.js';
import type { WorkflowEventsTable, WorkflowExecutionsTable, WorkflowStepsTable } from '../definitions/tables.js';

const json = (text: string | null): unknown => (text === null ? null : JSON.parse(text));

/** A step as GET /executions/:id/steps answers it: the seed's fields plus attempt, evidence, who completed it. */
export interface StepView {
  id: string;
  executionId: string;
  stepKey: string;
  name: string;
  stepType: string;
  /** pending | ready | running | waiting | succeeded | failed | skipped | cancelled */
  status: string;
  config: Record<string, unknown>;
  dependsOn: string[];
  blockedByCount: number;
  output: Record<string, unknown> | null;
  /** The worker or agent the step handed its work to (from its saved state), if any. */
  assignedTo: string | null;
  startedAt: string | null;
  completedAt: string | null;
  error: string | null;
  /** Why it succeeded or failed: the exit code, the task's resolution, the result event, a manual completion. */
  evidence: string | null;
  completedBy: string | null;
  attempt: number;
  retryCount: number;
  maxRetries: number;
  onFailure: string;
}

export interface ExecutionView {
  id: string;
  workflowId: string;
  workflowVersion: number;
  swarmId: string | null;
  /** running | paused | completed | failed | cancelled */
  status: string;
  context: { inputs: Record<string, unknown> };
  outputs: Record<string, unknown> | null;
  startedAt: string | null;
  completedAt: string | null;
  error: string | null;
  createdAt: string;
  createdBy: string;
  startedBy: string;
  /** GET /executions/:id and execution_get: each step's key, type, status and attempt. */
  steps?: { id: string; stepKey: string; stepType: string; status: string; attempt: number; error: string | null }[];
}

export interface ExecutionEventView {
  id: number;
  executionId: string;
  stepId: string | null;
  eventType: string;
  actor: string | null;
  details: unknown;
  createdAt: string;
}

function assignee(state: string | null): string | null {
  const saved = json(state) as Record<string, unknown> | null;
  for (const key of ['handle', 'workerHandle', 'assignedTo', 'toHandle'])
    if (typeof saved?.[key] === 'string') return saved[key];
  return null;
}

export function stepView(row: WorkflowStepsTable): StepView {
  return {
    id: row.id,
    executionId: row.execution_id,
    stepKey: row.step_key,
    name: row.name,
    stepType: row.step_type,
    status: row.status,
    config: json(row.config) as Record<string, unknown>,
    dependsOn: json(row.depends_on) as string[],
    blockedByCount: Number(row.blocked_by_count),
    output: json(row.output) as Record<string, unknown> | null,
    assignedTo: assignee(row.state),
    startedAt: iso(row.started_at),
    completedAt: iso(row.completed_at),
    error: row.error,
    evidence: row.evidence,
    completedBy: row.completed_by,
    attempt: Number(row.attempt),
    retryCount: Number(row.retry_count),
    maxRetries: Number(row.max_retries),
    onFailure: row.on_failure,
  };
}

export function executionView(row: WorkflowExecutionsTable, steps?: WorkflowStepsTable[]): ExecutionView {
  const context = json(row.context) as { inputs: Record<string, unknown> };
  return {
    id: row.id,
    workflowId: row.workflow_id,
    workflowVersion: Number(row.workflow_version),
    swarmId: row.swarm_id,
    status: row.status,
    context: { inputs: context.inputs },
    outputs: json(row.outputs) as Record<string, unknown> | null,
    startedAt: iso(row.started_at),
    completedAt: iso(row.completed_at),
    error: row.error,
    createdAt: iso(row.created_at)!,
    createdBy: row.created_by,
    startedBy: row.started_by,
    ...(steps
      ? {
          steps: steps.map((step) => ({
            id: step.id,
            stepKey: step.step_key,
            stepType: step.step_type,
            status: step.status,
            attempt: Number(step.attempt),
            error: step.error,
          })),
        }
      : {}),
  };
}

export function eventView(row: Omit<WorkflowEventsTable, 'id'> & { id: number }): ExecutionEventView {
  return {
    id: Number(row.id),
    executionId: row.execution_id,
    stepId: row.step_id,
    eventType: row.event_type,
    actor: row.actor,
    details: json(row.details),
    createdAt: iso(row.created_at)!,
  };
}

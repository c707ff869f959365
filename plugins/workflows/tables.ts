import { defineTables } from '../../core/index.js';
import type { DefinitionsTables } from './definitions/tables.js';
import { type MissionTables, missionTables } from './missions/index.js';
import { type OrchestrateTables, orchestrateTables } from './orchestrate/index.js';
import { type TemplateTables, templateTables } from './templates/index.js';

export type {
  ExecutionStatus,
  StepStatus,
  WorkflowExecutionsTable,
  WorkflowStepsTable,
  WorkflowsTable,
} from './definitions/tables.js';

/** Every table of the plugin (the parts' merged in as they land). */
export type WorkflowsTables = DefinitionsTables & OrchestrateTables & MissionTables & TemplateTables;

export const workflowsTables = defineTables<WorkflowsTables>({
  workflows: 'Workflow definitions per team: a DAG of steps, inputs, outputs; version +1 per change',
  workflow_executions: 'Runs of a workflow: status, inputs, outputs, who started it and how',
  workflow_steps: 'Steps of an execution: status, claim and lease, saved state, output, evidence, retries',
  workflow_events: 'What happened to an execution and its steps, in order (GET /executions/:id/events)',
  workflow_triggers: 'Triggers that start a workflow: on an event, a schedule, a webhook, a blackboard message',
  workflow_trigger_firings: 'One row per trigger firing, keyed by the event: a trigger fires once per event',
  ...(orchestrateTables.descriptions as { [K in keyof OrchestrateTables]: string }),
  ...(missionTables.descriptions as { [K in keyof MissionTables]: string }),
  ...(templateTables.descriptions as { [K in keyof TemplateTables]: string }),
});

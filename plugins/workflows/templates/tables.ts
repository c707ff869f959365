import { defineTables } from '../../../core/index.js';

export interface WorkflowTemplatesTable {
  id: string;
  team_name: string;
  name: string;
  description: string | null;
  /** JSON Phases: { discovery, development, quality, delivery }, role names per phase. */
  phases: string;
  /** The workflow a run starts (api.executions.start), or null for a swarm set-up only. */
  workflow_id: string | null;
  /** JSON Record<name, ParameterSpec>: what a run must or may give (validated before anything starts). */
  parameters: string | null;
  created_by: string;
  created_at: number;
  updated_at: number;
}

export type TemplateRunStatus = 'running' | 'succeeded' | 'failed';

export interface WorkflowTemplateRunsTable {
  id: string;
  team_name: string;
  template_id: string;
  template_name: string;
  swarm_id: string | null;
  swarm_name: string;
  /** JSON RunRole[]: each role's phase, handle, spawn-queue id and status, with times. */
  roles: string;
  /** Index into PHASES of the phase under way (4 once every phase is done). */
  phase: number;
  status: TemplateRunStatus;
  reason: string | null;
  execution_id: string | null;
  working_dir: string | null;
  created_by: string;
  created_at: number;
  updated_at: number;
}

export interface TemplateTables {
  workflow_templates: WorkflowTemplatesTable;
  workflow_template_runs: WorkflowTemplateRunsTable;
}

export const templateTables = defineTables<TemplateTables>({
  workflow_templates: 'A team’s own templates: swarm phases (roles) and/or a workflow with declared parameters',
  workflow_template_runs: 'Runs of templates: the swarm, each role’s worker and phase, phases started in order',
});

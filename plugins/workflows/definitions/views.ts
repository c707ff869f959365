import type { WorkflowDefinition } from './definition.js';
import type { WorkflowsTable } from './tables.js';

/** A workflow as the routes and tools answer it (the seed's shape, plus who created it). */
export interface WorkflowView {
  id: string;
  name: string;
  description: string | null;
  version: number;
  definition: WorkflowDefinition;
  isTemplate: boolean;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export const iso = (ms: number | null): string | null => (ms === null ? null : new Date(Number(ms)).toISOString());

export function workflowView(row: WorkflowsTable): WorkflowView {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    version: Number(row.version),
    definition: JSON.parse(row.definition) as WorkflowDefinition,
    isTemplate: Number(row.is_template) === 1,
    createdBy: row.created_by,
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
  };
}

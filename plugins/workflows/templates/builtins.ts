/** The seed's four phases, run in this order (each after every worker of the one before finished a turn). */
export const PHASES = ['discovery', 'development', 'quality', 'delivery'] as const;
export type PhaseName = (typeof PHASES)[number];
export type Phases = Record<PhaseName, string[]>;

export interface ParameterSpec {
  type: 'string' | 'number' | 'boolean' | 'array' | 'object';
  required?: boolean;
  default?: unknown;
  description?: string;
}

export interface Template {
  id: string;
  name: string;
  description: string | null;
  isBuiltin: boolean;
  phases: Phases;
  workflowId: string | null;
  parameters: Record<string, ParameterSpec> | null;
  createdAt: string;
  updatedAt: string;
}

const BUILT_IN_AT = '2026-01-01T00:00:00.000Z';

function builtIn(id: string, name: string, description: string, phases: Phases): Template {
  return {
    id,
    name,
    description,
    isBuiltin: true,
    phases,
    workflowId: null,
    parameters: null,
    createdAt: BUILT_IN_AT,
    updatedAt: BUILT_IN_AT,
  };
}

/** The seed's three built-ins: every team sees them; nobody changes or deletes them. */
export const BUILT_IN_TEMPLATES: readonly Template[] = [
  builtIn('builtin-feature-dev', 'feature-development', 'Full feature development lifecycle', {
    discovery: ['product-analyst', 'architect'],
    development: ['backend-dev', 'frontend-dev'],
    quality: ['qa-engineer', 'security-engineer'],
    delivery: ['tech-writer'],
  }),
  builtIn('builtin-backend-api', 'backend-api', 'Backend API development', {
    discovery: ['architect'],
    development: ['backend-dev', 'data-engineer'],
    quality: ['qa-engineer', 'performance-engineer'],
    delivery: ['devops-engineer'],
  }),
  builtIn('builtin-quick-fix', 'quick-fix', 'Quick bug fix', {
    discovery: [],
    development: ['fullstack-dev'],
    quality: ['qa-engineer'],
    delivery: [],
  }),
];

export const totalRoles = (phases: Phases) => PHASES.reduce((sum, phase) => sum + phases[phase].length, 0);

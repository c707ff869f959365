import * as v from 'valibot';
import { f, operationsFor, reply } from '../../../core/index.js';
import { absolutePath } from '../missions/fields.js';
import { parametersInput, phasesInput, swarmName, templateId, templateName, workflowId } from './fields.js';
import type { TemplateService } from './template-service.js';

/** What the template operations need of the plugin's api (WorkflowsApi has it). */
export interface TemplateOpsApi {
  templates: TemplateService;
}

const op = operationsFor<TemplateOpsApi>();
const description = f.text({ max: 500 });

export const createTemplate = op({
  name: 'createTemplate',
  summary:
    'Save a template (leads): roles in four phases (discovery, development, quality, delivery) and/or a ' +
    'workflow with declared parameters; a name your team or a built-in has is a 409',
  access: 'lead',
  input: v.object({
    name: templateName,
    description: v.optional(description),
    phases: v.optional(phasesInput),
    workflowId: v.optional(workflowId),
    parameters: v.optional(parametersInput),
  }),
  http: { method: 'POST', path: '/templates', status: 201 },
  run: ({ input, caller, api }) => api.templates.create(caller, input),
});

export const listTemplates = op({
  name: 'listTemplates',
  summary: 'Templates: the built-ins and your team’s own (builtin=true: built-ins only, by name), newest first',
  access: 'agent',
  input: v.object({ builtin: v.optional(f.flag), limit: v.optional(f.int(1, 100)) }),
  http: { method: 'GET', path: '/templates' },
  tools: [{ name: 'template_list', rename: { builtin_only: 'builtin' } }],
  run: ({ input, caller, api }) =>
    api.templates.list(caller.teamName, {
      ...(input.builtin !== undefined ? { builtin: input.builtin } : {}),
      ...(input.limit !== undefined ? { limit: input.limit } : {}),
    }),
});

export const getTemplate = op({
  name: 'getTemplate',
  summary: 'One template: its phases, workflow and parameters',
  access: 'agent',
  input: v.object({ id: templateId }),
  http: { method: 'GET', path: '/templates/:id' },
  tools: [{ name: 'template_get', rename: { template_id: 'id' } }],
  run: ({ input, caller, api }) => api.templates.get(caller.teamName, input.id),
});

export const updateTemplate = op({
  name: 'updateTemplate',
  summary:
    'Change your team’s template (leads): a phase not given keeps its roles; built-ins are 403, a taken name 409',
  access: 'lead',
  input: v.object({
    id: templateId,
    name: v.optional(templateName),
    description: v.optional(v.nullable(description)),
    phases: v.optional(phasesInput),
    workflowId: v.optional(v.nullable(workflowId)),
    parameters: v.optional(v.nullable(parametersInput)),
  }),
  http: { method: 'PATCH', path: '/templates/:id' },
  run: ({ input: { id, ...patch }, caller, api }) => api.templates.update(caller, id, patch),
});

export const deleteTemplate = op({
  name: 'deleteTemplate',
  summary: 'Delete your team’s template (leads): 204; built-ins are 403',
  access: 'lead',
  input: v.object({ id: templateId }),
  http: { method: 'DELETE', path: '/templates/:id', status: 204 },
  async run({ input, caller, api }) {
    await api.templates.remove(caller, input.id);
    return reply.status(204, null);
  },
});

export const runTemplate = op({
  name: 'runTemplate',
  summary:
    'Run a template (leads): its parameters checked (400 naming parameters.<name>), a swarm made for its roles, ' +
    'each phase’s roles queued to spawn once every worker of the phase before finished a turn, its workflow started',
  access: 'lead',
  input: v.object({
    id: templateId,
    swarmName: v.optional(swarmName),
    parameters: v.optional(f.jsonObject({ maxChars: 50_000 })),
    workingDir: v.optional(absolutePath),
  }),
  http: { method: 'POST', path: '/templates/:id/run', status: 201 },
  tools: [{ name: 'template_run', rename: { template_id: 'id', swarm_name: 'swarmName', working_dir: 'workingDir' } }],
  run: ({ input: { id, ...run }, caller, api }) => api.templates.run(caller, id, run),
});

export const getTemplateRun = op({
  name: 'getTemplateRun',
  summary: 'A template run: its swarm, each role’s worker and status by phase, the workflow execution it started',
  access: 'agent',
  input: v.object({ id: v.pipe(f.text({ min: 1, max: 100 })) }),
  http: { method: 'GET', path: '/template-runs/:id' },
  run: ({ input, caller, api }) => api.templates.getRun(caller.teamName, input.id),
});

export const templateOperations = [
  createTemplate,
  listTemplates,
  getTemplate,
  updateTemplate,
  deleteTemplate,
  runTemplate,
  getTemplateRun,
];

import * as v from 'valibot';
import { f, operationsFor, reply } from '../../../core/index.js';
import { viewOf } from '../queue/job.js';
import { taskName } from '../queue/fields.js';
import { CONTEXT_FIELDS, TEMPLATE_CATEGORIES } from './builtins.js';
import type { TemplateService } from './template-service.js';

/** What the template operations need of the plugin's api (SchedulerApi has it). */
export interface TemplateOpsApi {
  templates: TemplateService;
}

const op = operationsFor<TemplateOpsApi>();
const category = f.oneOf(TEMPLATE_CATEGORIES);
const shortText = f.text({ min: 1, max: 200 });

export const listTemplates = op({
  name: 'listTemplates',
  summary: 'Task templates: the 12 built-ins and your team’s own, optionally of one category',
  access: 'agent',
  input: v.object({ category: v.optional(category) }),
  http: { method: 'GET', path: '/scheduler/templates' },
  tools: [{ name: 'scheduler_template_list' }],
  run: ({ input, caller, api }) => api.templates.list(caller.teamName, input.category),
});

export const getTemplate = op({
  name: 'getTemplate',
  summary: 'One task template with its prompt (a built-in or your team’s)',
  access: 'agent',
  input: v.object({ id: taskName }),
  http: { method: 'GET', path: '/scheduler/templates/:id' },
  tools: [{ name: 'scheduler_template_get' }],
  run: ({ input, caller, api }) => api.templates.get(caller.teamName, input.id),
});

export const createTemplate = op({
  name: 'createTemplate',
  summary: 'Add a task template for your team (leads); a built-in’s id or one your team has is a 409',
  access: 'lead',
  input: v.object({
    id: taskName,
    name: shortText,
    description: f.text({ min: 1, max: 2000 }),
    category,
    role: f.text({ min: 1, max: 50 }),
    prompt: f.text({ min: 1, max: 20_000 }),
    estimatedMinutes: v.optional(f.int(1, 10_000)),
    outputFormat: v.optional(f.oneOf(['pr', 'commit', 'report', 'issue'] as const)),
    requiredContext: v.optional(f.list(f.oneOf(CONTEXT_FIELDS), { max: 6, of: 'context fields' })),
    steps: v.optional(f.list(f.text({ min: 1, max: 500 }), { max: 50, of: 'steps' })),
    notifyOn: v.optional(f.list(f.oneOf(['started', 'completed', 'failed'] as const), { max: 3, of: 'events' })),
  }),
  http: { method: 'POST', path: '/scheduler/templates', status: 201 },
  tools: [{ name: 'scheduler_template_create' }],
  async run({ input, caller, api }) {
    const template = await api.templates.create(caller, {
      ...input,
      estimatedMinutes: input.estimatedMinutes ?? 30,
      outputFormat: input.outputFormat ?? 'report',
      requiredContext: input.requiredContext ?? ['repository'],
    });
    return { message: 'Template registered', id: template.id, template };
  },
});

export const executeTemplate = op({
  name: 'executeTemplate',
  summary:
    'Run a task template (leads): queued as a job that spawns a worker with the template’s prompt and this ' +
    'context; 202 with the job id (GET /scheduler/queue/:id follows it)',
  access: 'lead',
  input: v.object({
    id: taskName,
    repository: f.text({ min: 1, max: 200 }),
    branch: v.optional(f.text({ min: 1, max: 200 })),
    prNumber: v.optional(f.int(1)),
    issueNumber: v.optional(f.int(1)),
    files: v.optional(f.list(f.text({ min: 1, max: 500 }), { max: 500, of: 'file paths' })),
    labels: v.optional(f.list(f.text({ min: 1, max: 100 }), { max: 50, of: 'labels' })),
  }),
  http: { method: 'POST', path: '/scheduler/templates/:id/execute', status: 202 },
  tools: [{ name: 'scheduler_template_execute' }],
  async run({ input: { id, ...context }, caller, api }) {
    const job = await api.templates.execute(caller, id, context);
    return reply.status(202, {
      success: true,
      templateId: id,
      jobId: job.id,
      taskId: job.id,
      status: job.status,
      message: 'Template queued: a worker is spawned when its turn comes',
      task: viewOf(job),
    });
  },
});

export const templateOperations = [listTemplates, getTemplate, createTemplate, executeTemplate];

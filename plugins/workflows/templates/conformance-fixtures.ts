import { randomUUID } from 'node:crypto';

/**
 * The template operations' fixtures for the plugin's conformance suite (conformance.test.ts loads
 * them). Structural types: test/kit is for *.test.ts files only. Runs use a template that names a
 * workflow and has no roles, so no worker is needed: the run starts an execution of it.
 */
interface Agent {
  handle: string;
  token: string;
  teamName: string;
}
interface Context {
  alpha: { lead: Agent; workers: Agent[] };
  call: (agent: Agent, method: string, path: string, body?: unknown) => Promise<Record<string, unknown>>;
}
type Fixture = Record<string, unknown> & { input: Record<string, unknown> };

const name = () => `ct-${randomUUID().slice(0, 8)}`;

const template = async ({ alpha, call }: Context): Promise<string> =>
  String((await call(alpha.lead, 'POST', '/templates', { name: name(), phases: { development: ['dev'] } })).id);

/** A template that starts a workflow of the owner team (one step that waits an hour). */
const workflowTemplate = async ({ alpha, call }: Context): Promise<string> => {
  const workflow = await call(alpha.lead, 'POST', '/workflows', {
    name: name(),
    definition: { steps: [{ key: 'hold', type: 'wait', config: { durationMs: 3_600_000 } }] },
  });
  const created = await call(alpha.lead, 'POST', '/templates', {
    name: name(),
    workflowId: String(workflow.id),
    parameters: { topic: { type: 'string', default: 'x' } },
  });
  return String(created.id);
};

export const fixtures: Record<string, (context: Context) => Promise<Fixture>> = {
  createTemplate: () =>
    Promise.resolve({ input: { name: name(), phases: { discovery: ['analyst'] } }, otherTeam: 'own' }),
  listTemplates: async (context) => {
    await template(context);
    return { input: {}, as: 'worker', otherTeam: 'own' };
  },
  getTemplate: async (context) => {
    const id = await template(context);
    return { input: { id }, as: 'worker', secrets: [id] };
  },
  updateTemplate: async (context) => {
    const id = await template(context);
    return { input: { id, description: 'changed' }, secrets: [id], skipAgreement: 'each call changes updatedAt' };
  },
  deleteTemplate: async (context) => {
    const id = await template(context);
    // The kit's valid-call check reads a body, and a 204 has none (templates.test.ts checks the 204).
    return { input: { id }, secrets: [id], skipValidCall: 'a 204 has no body for the kit to read' };
  },
  runTemplate: async (context) => {
    const id = await workflowTemplate(context);
    return { input: { id, parameters: { topic: 'y' } }, secrets: [id] };
  },
  getTemplateRun: async (context) => {
    const id = await workflowTemplate(context);
    const run = await context.call(context.alpha.lead, 'POST', `/templates/${id}/run`, {});
    const runId = String(run.runId);
    return { input: { id: runId }, as: 'worker', secrets: [runId] };
  },
};

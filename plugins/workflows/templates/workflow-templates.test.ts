import t from 'tap';
import { registerAgent, startFleet, waitFor } from '../../../test/kit/index.js';

/** Through the real workflows plugin (definitions, executions, the engine, this part wired in index.ts). */
t.test(
  'a workflow template: parameters checked, defaults filled, a real execution started by template:<id>',
  async (t) => {
    const fleet = await startFleet(t, {
      plugins: { auth: true, workflows: { pollMs: 20, seedExamples: false } },
      config: { server: { rateLimit: { max: 1_000_000 } } },
    });
    const lead = await registerAgent(fleet, 'lead', 'alpha', 'team-lead');
    const call = (method: string, path: string, body?: unknown) =>
      fleet.request(method, path, { token: lead.token, body });
    const workflow = await call('POST', '/workflows', {
      name: 'release',
      definition: {
        inputs: { feature: { type: 'string', required: true } },
        steps: [{ key: 'say', type: 'script', config: { script: 'inputs.feature' } }],
      },
    });
    t.equal(workflow.status, 201, JSON.stringify(workflow.body));
    const template = await call('POST', '/templates', {
      name: 'release-template',
      workflowId: workflow.body.id,
      parameters: {
        feature: { type: 'string', required: true, description: 'what ships' },
        channel: { type: 'string', default: 'beta' },
      },
    });
    t.equal(template.status, 201, JSON.stringify(template.body));
    const id = template.body.id;

    const missing = await call('POST', `/templates/${id}/run`, {});
    t.equal(missing.status, 400);
    t.equal(missing.body.field, 'parameters.feature');
    const executionsBefore = await call('GET', '/executions');
    t.equal(JSON.stringify(executionsBefore.body).includes(`template:${id}`), false, 'a refused run starts nothing');

    const run = await call('POST', `/templates/${id}/run`, { parameters: { feature: 'login' } });
    t.equal(run.status, 201, JSON.stringify(run.body));
    t.same(run.body.parameters, { feature: 'login', channel: 'beta' });
    t.equal(run.body.swarmId, null, 'no roles: no swarm');
    t.equal(run.body.totalWorkers, 0);
    const executionId = run.body.execution.id;
    const execution = await waitFor('the execution ends', async () => {
      const response = await call('GET', `/executions/${executionId}`);
      return ['completed', 'succeeded', 'failed'].includes(response.body.status) && response.body;
    });
    t.equal(execution.startedBy, `template:${id}`);
    t.same(execution.context.inputs, { feature: 'login', channel: 'beta' });
    t.equal(execution.workflowId, workflow.body.id);
    const done = await call('GET', `/template-runs/${run.body.runId}`);
    t.match(done.body, { status: 'succeeded', executionId });

    // A workflow of another team (or none) cannot be started through a template.
    const beta = await registerAgent(fleet, 'lead', 'beta', 'team-lead');
    const foreign = await fleet.request('POST', '/templates', {
      token: beta.token,
      body: { name: 'steal', workflowId: workflow.body.id },
    });
    t.equal(foreign.status, 201);
    const refused = await fleet.request('POST', `/templates/${foreign.body.id}/run`, { token: beta.token, body: {} });
    t.equal(refused.status, 404, JSON.stringify(refused.body));
    const runs = await fleet.request('GET', `/template-runs/${run.body.runId}`, { token: beta.token });
    t.equal(runs.status, 404);
  },
);

import t from 'tap';
import { definePlugin } from '../../../core/index.js';
import type { SwarmApi } from '../../swarm/index.js';
import type { WorkersApi } from '../../workers/index.js';
import {
  fakeAgentWorkers,
  registerAgent,
  startFleet,
  tempDir,
  type TestFleet,
  type TestLike,
  waitFor,
} from '../../../test/kit/index.js';
import {
  startTemplates,
  TemplateService,
  templateErrors,
  templateEvents,
  templateOperations,
  templateTables,
  templatesMigration,
} from './index.js';

/**
 * The template part as a plugin of its own, named as the plugin it belongs to (its codes, tables and
 * tools are the workflows plugin's): it runs with the real auth, workers (the fake agent) and swarm
 * plugins, without the workflow engine (a template naming a workflow is then refused with a 409).
 */
const templatesPart = definePlugin({
  name: 'workflows',
  dependsOn: ['auth'],
  optionalDependsOn: ['workers', 'swarm'],
  tables: templateTables,
  migrations: { '0004_templates': templatesMigration },
  errors: templateErrors,
  events: templateEvents,
  operations: templateOperations,
  setup(ctx) {
    const templates = new TemplateService({
      db: ctx.db,
      log: ctx.log,
      emit: ctx.events.emit,
      workers: () => ctx.use<WorkersApi | undefined>('workers'),
      swarm: () => ctx.use<SwarmApi | undefined>('swarm'),
      executions: () => undefined,
    });
    return { templates };
  },
  start(ctx, api: { templates: TemplateService }) {
    ctx.onStop(startTemplates(api, ctx, { pollMs: 250 }));
  },
});

async function templateFleet(t: TestLike): Promise<TestFleet> {
  return startFleet(t, {
    plugins: { auth: true, workers: fakeAgentWorkers({ max: 10 }), swarm: true, workflows: true },
    extraPlugins: [templatesPart],
    config: { server: { rateLimit: { max: 1_000_000 } } },
  });
}

t.test('templates: built-ins, create, 409s, PATCH keeps phases, delete, other teams', async (t) => {
  const fleet = await templateFleet(t);
  const lead = await registerAgent(fleet, 'lead', 'alpha', 'team-lead');
  const worker = await registerAgent(fleet, 'w1', 'alpha');
  const beta = await registerAgent(fleet, 'lead', 'beta', 'team-lead');
  const call = (method: string, path: string, body?: unknown, token = lead.token) =>
    fleet.request(method, path, { token, body });

  const builtIns = await call('GET', '/templates?builtin=true');
  t.same(
    builtIns.body.map((x: any) => x.name),
    ['backend-api', 'feature-development', 'quick-fix'],
  );
  t.same(builtIns.body.find((x: any) => x.id === 'builtin-quick-fix').phases, {
    discovery: [],
    development: ['fullstack-dev'],
    quality: ['qa-engineer'],
    delivery: [],
  });
  t.same((await call('GET', '/templates?builtin=false')).body, []);

  const created = await call('POST', '/templates', {
    name: 'api-feature',
    description: 'An API feature',
    phases: { discovery: ['architect'], development: ['backend-dev'] },
  });
  t.equal(created.status, 201);
  t.match(created.body, {
    name: 'api-feature',
    isBuiltin: false,
    workflowId: null,
    phases: { discovery: ['architect'], development: ['backend-dev'], quality: [], delivery: [] },
  });
  t.match(created.body.id, /^[0-9a-f-]{36}$/);
  const id = created.body.id;
  const all = await call('GET', '/templates');
  t.equal(all.body.length, 4);
  t.equal(all.body[0].id, id, 'newest first');
  t.equal((await call('GET', '/templates?limit=2')).body.length, 2);

  const clash = await call('POST', '/templates', { name: 'api-feature', phases: { delivery: ['x'] } });
  t.equal(clash.status, 409);
  t.match(clash.body, { code: 'WORKFLOWS_TEMPLATE_EXISTS', error: "Template with name 'api-feature' already exists" });
  t.equal((await call('POST', '/templates', { name: 'quick-fix', phases: { delivery: ['x'] } })).status, 409);

  // PATCH: the phases not given are kept (the seed reset them to []), the role count is checked again.
  const patched = await call('PATCH', `/templates/${id}`, { phases: { quality: ['qa-engineer'] } });
  t.equal(patched.status, 200);
  t.same(patched.body.phases, {
    discovery: ['architect'],
    development: ['backend-dev'],
    quality: ['qa-engineer'],
    delivery: [],
  });
  const emptied = await call('PATCH', `/templates/${id}`, {
    phases: { discovery: [], development: [], quality: [] },
  });
  t.equal(emptied.status, 400);
  t.equal(emptied.body.field, 'phases');
  const renamed = await call('PATCH', `/templates/${id}`, { name: 'renamed', description: null });
  t.match(renamed.body, { name: 'renamed', description: null });
  t.equal((await call('PATCH', `/templates/${id}`, { name: 'backend-api' })).status, 409);
  const nothing = await call('PATCH', `/templates/${id}`, {});
  t.equal(nothing.status, 400);
  t.match(nothing.body.error, /At least one field must be provided for update/);
  const builtInPatch = await call('PATCH', '/templates/builtin-quick-fix', { description: 'mine' });
  t.equal(builtInPatch.status, 403);
  t.match(builtInPatch.body.error, 'Cannot modify built-in templates');
  t.equal((await call('DELETE', '/templates/builtin-quick-fix')).status, 403);

  // Other teams: nothing of it; workers read but do not change.
  t.equal((await call('GET', `/templates/${id}`, undefined, beta.token)).status, 404);
  t.equal((await call('PATCH', `/templates/${id}`, { description: 'x' }, beta.token)).status, 404);
  t.equal((await call('GET', '/templates', undefined, beta.token)).body.length, 3);
  t.equal((await call('GET', `/templates/${id}`, undefined, worker.token)).status, 200);
  t.equal((await call('POST', '/templates', { name: 'w', phases: { delivery: ['x'] } }, worker.token)).status, 403);
  t.equal((await call('POST', `/templates/${id}/run`, {}, worker.token)).status, 403);
  const tool = await fleet.request('POST', '/mcp/call', {
    token: worker.token,
    body: { name: 'template_get', arguments: { template_id: id } },
  });
  t.equal(JSON.parse(tool.body.content[0].text).name, 'renamed');
  const builtinOnly = await fleet.request('POST', '/mcp/call', {
    token: worker.token,
    body: { name: 'template_list', arguments: { builtin_only: true } },
  });
  t.equal(JSON.parse(builtinOnly.body.content[0].text).length, 3);

  const removed = await call('DELETE', `/templates/${id}`);
  t.equal(removed.status, 204);
  t.equal((await call('GET', `/templates/${id}`)).status, 404);
  t.equal((await call('DELETE', `/templates/${id}`)).status, 404);
});

t.test('bad template inputs are 400s naming the field', async (t) => {
  const fleet = await templateFleet(t);
  const lead = await registerAgent(fleet, 'lead', 'alpha', 'team-lead');
  const cases: [string, Record<string, unknown>, string][] = [
    ['no roles', { name: 'a' }, 'phases'],
    ['a bad name', { name: 'a b', phases: { delivery: ['x'] } }, 'name'],
    ['a bad role', { name: 'a', phases: { discovery: ['a role'] } }, 'phases.discovery.0'],
    ['roles not a list', { name: 'a', phases: { discovery: 'x' } }, 'phases.discovery'],
    ['21 roles in a phase', { name: 'a', phases: { quality: Array(21).fill('qa') } }, 'phases.quality'],
    ['a bad parameter type', { name: 'a', workflowId: 'w', parameters: { p: { type: 'date' } } }, 'parameters.p.type'],
    [
      'a default of the wrong type',
      { name: 'a', workflowId: 'w', parameters: { p: { type: 'number', default: 'x' } } },
      'parameters.p.default',
    ],
    ['a long description', { name: 'a', description: 'x'.repeat(501), phases: { delivery: ['x'] } }, 'description'],
  ];
  for (const [what, body, field] of cases) {
    const response = await fleet.request('POST', '/templates', { token: lead.token, body });
    t.equal(response.status, 400, `${what}: ${JSON.stringify(response.body)}`);
    t.equal(response.body.field, field, what);
  }
  // A workflow template may have no roles; its run checks its parameters before anything starts.
  const created = await fleet.request('POST', '/templates', {
    token: lead.token,
    body: {
      name: 'release',
      workflowId: 'wf-release',
      parameters: {
        feature: { type: 'string', required: true },
        count: { type: 'number', default: 2 },
        flags: { type: 'array' },
      },
    },
  });
  t.equal(created.status, 201, JSON.stringify(created.body));
  const run = (parameters: unknown) =>
    fleet.request('POST', `/templates/${created.body.id}/run`, { token: lead.token, body: { parameters } });
  const runs: [string, unknown, number, string][] = [
    ['a missing required parameter', {}, 400, 'parameters.feature'],
    ['a number for a string', { feature: 5 }, 400, 'parameters.feature'],
    ['an object for an array', { feature: 'x', flags: {} }, 400, 'parameters.flags'],
    ['an undeclared parameter', { feature: 'x', nope: 1 }, 400, 'parameters.nope'],
    ['parameters not an object', [1], 400, 'parameters'],
  ];
  for (const [what, parameters, status, field] of runs) {
    const response = await run(parameters);
    t.equal(response.status, status, `${what}: ${JSON.stringify(response.body)}`);
    t.equal(response.body.field, field, what);
  }
  t.match((await run({ feature: 5 })).body.error, 'parameters.feature: must be a string');
  // Valid parameters, but no workflow engine here: refused, nothing started.
  const off = await run({ feature: 'login' });
  t.equal(off.status, 409);
  t.equal(off.body.code, 'WORKFLOWS_TEMPLATE_ENGINE_OFF');
  t.equal((await fleet.request('POST', '/templates/nope/run', { token: lead.token, body: {} })).status, 404);
});

t.test(
  'a run makes a swarm and starts each phase after every worker of the phase before finished a turn',
  async (t) => {
    const fleet = await templateFleet(t);
    const lead = await registerAgent(fleet, 'lead', 'alpha', 'team-lead');
    const dir = tempDir(t, 'wf4-run-');
    const created = await fleet.request('POST', '/templates', {
      token: lead.token,
      body: {
        name: 'three-phases',
        phases: { discovery: ['analyst'], development: ['dev', 'dev'], delivery: ['writer'] },
        parameters: { topic: { type: 'string', default: 'search' } },
      },
    });
    t.equal(created.status, 201);
    const started = await fleet.request('POST', `/templates/${created.body.id}/run`, {
      token: lead.token,
      body: { swarmName: 'squad', workingDir: dir },
    });
    t.equal(started.status, 201, JSON.stringify(started.body));
    t.match(started.body, { swarmName: 'squad', templateName: 'three-phases', totalWorkers: 4 });
    t.same(started.body.parameters, { topic: 'search' });
    t.same(
      started.body.queuedWorkers.map((w: any) => [w.role, w.phase]),
      [['analyst', 'discovery']],
      'only the first phase is queued',
    );
    t.match(started.body.swarmId, /^swarm-/);
    const swarm = await fleet.request('GET', `/swarms/${started.body.swarmId}`, { token: lead.token });
    t.equal(swarm.status, 200);
    t.equal(swarm.body.maxAgents, 4);
    t.equal(swarm.body.description, 'Swarm from template: three-phases');

    const runId = started.body.runId;
    const run = await waitFor(
      'the run ends',
      async () => {
        const response = await fleet.request('GET', `/template-runs/${runId}`, { token: lead.token });
        return response.body.status !== 'running' && response.body;
      },
      60_000,
      100,
    );
    t.equal(run.status, 'succeeded', run.reason);
    const roles = run.roles as any[];
    t.same(
      roles.map((r) => [r.role, r.phase, r.status]),
      [
        ['analyst', 'discovery', 'done'],
        ['dev', 'development', 'done'],
        ['dev', 'development', 'done'],
        ['writer', 'delivery', 'done'],
      ],
    );
    t.not(roles[1].handle, roles[2].handle, 'a role twice gets two workers');
    const at = (value: string) => Date.parse(value);
    for (const dev of roles.slice(1, 3)) t.ok(at(dev.queuedAt) >= at(roles[0].doneAt), 'development after discovery');
    t.ok(at(roles[3].queuedAt) >= Math.max(at(roles[1].doneAt), at(roles[2].doneAt)), 'delivery after development');
    // The workers joined the swarm and got the seed's task, with the parameters as the lead's data.
    const workers = await fleet.request('GET', '/orchestrate/workers', { token: lead.token });
    const analyst = (workers.body as any[]).find((w) => w.handle === roles[0].handle);
    t.equal(analyst.swarmId, started.body.swarmId);
    t.match(analyst.result, `ack: [fleet] Execute analyst role for swarm squad (phase: discovery)`);
    // Another team sees nothing of the run.
    const beta = await registerAgent(fleet, 'lead', 'beta', 'team-lead');
    t.equal((await fleet.request('GET', `/template-runs/${runId}`, { token: beta.token })).status, 404);
  },
);

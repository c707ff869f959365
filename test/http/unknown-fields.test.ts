/**
 * Unknown fields are refused, never dropped: `{"handle":"x","prompt":"…"}` on POST
 * /orchestrate/spawn (the field is `initialPrompt`) used to spawn a worker with no prompt. A body
 * field or query parameter the operation does not know is a 400 FLEET_INVALID_INPUT naming it;
 * path params are not unknown; MCP tools refuse arguments they do not offer, as their JSON Schema
 * says (`additionalProperties: false`).
 */
import t from 'tap';
import { callTool, registerAgent, startCoordination, startWorkerFleet, toolText } from '../kit/index.js';

t.test('POST /orchestrate/spawn with `prompt` is a 400 naming it, and spawns nothing', async (t) => {
  const { fleet, lead, spawn } = await startWorkerFleet(t);
  const response = await spawn('x', { prompt: 'write the tests' });
  t.equal(response.status, 400);
  t.equal(response.body.code, 'FLEET_INVALID_INPUT');
  t.equal(response.body.field, 'prompt');
  t.same(response.body.unknown, ['prompt']);
  t.match(response.body.error, /^prompt: is not a known field \(known fields: .*initialPrompt/);
  const workers = await fleet.request('GET', '/orchestrate/workers', { token: lead });
  t.same(workers.body, [], 'no worker was spawned');

  const several = await spawn('x', { prompt: 'a', cmd: 'b', env: {} });
  t.equal(several.status, 400);
  t.match(several.body.error, /^prompt: is not a known field, nor are cmd, env \(/);
  t.same(several.body.unknown, ['prompt', 'cmd', 'env']);
});

t.test('bodies and query strings alike; path params and a repeated path param are known', async (t) => {
  const fleet = await startCoordination(t);
  const lead = await registerAgent(fleet, 'lead', 'alpha', 'team-lead');
  const body = (value: Record<string, unknown>) => ({ token: lead.token, body: value });

  const created = await fleet.request('POST', '/tasks', body({ subject: 'Write docs', toHandle: 'lead' }));
  t.equal(created.status, 200, 'known fields only: created');
  const typo = await fleet.request('POST', '/tasks', body({ subject: 'Write docs', assignee: 'lead' }));
  t.equal(typo.status, 400);
  t.match(typo.body, { code: 'FLEET_INVALID_INPUT', field: 'assignee' });

  const query = await fleet.request('GET', '/teams/alpha/tasks?stauts=open', { token: lead.token });
  t.equal(query.status, 400, 'a misspelt filter is not silently "no filter"');
  t.match(query.body, { code: 'FLEET_INVALID_INPUT', field: 'stauts' });
  t.notMatch(query.body.error, /teamName/, 'the path param is not offered as a field to send');
  const known = await fleet.request('GET', '/teams/alpha/tasks?status=open', { token: lead.token });
  t.equal(known.status, 200, 'path param and a known query parameter');

  const none = await fleet.request('GET', '/health?verbose=1');
  t.equal(none.status, 400);
  t.match(none.body.error, /verbose: is not a known field \(it takes no fields\)/);

  const task = created.body.id as string;
  const repeated = await fleet.request('PATCH', `/tasks/${task}`, body({ taskId: task, status: 'in_progress' }));
  t.equal(repeated.status, 200, 'a body may repeat a path param with the same value');

  const proto = await fleet.request('POST', '/tasks', {
    token: lead.token,
    body: '{"subject":"Write docs","__proto__":{"teamName":"beta"}}',
  });
  t.equal(proto.status, 400, '__proto__ is an unknown key like any other');
  t.match(proto.body, { code: 'FLEET_INVALID_INPUT', field: '__proto__' });
});

t.test('MCP tools refuse arguments they do not offer; their schemas say so', async (t) => {
  const fleet = await startCoordination(t);
  const lead = await registerAgent(fleet, 'lead', 'alpha', 'team-lead');
  const tools = (await fleet.request('GET', '/mcp/tools', { token: lead.token })).body.tools as {
    name: string;
    inputSchema: Record<string, unknown>;
  }[];
  for (const tool of tools) t.equal(tool.inputSchema.additionalProperties, false, `${tool.name}: strict arguments`);

  const typo = await callTool(fleet, lead, 'team_assign', { agent: 'lead', task: 'Write docs', prompt: 'x' });
  t.equal(typo.isError, true);
  t.match(toolText(typo), /^FLEET_INVALID_INPUT: prompt: is not a known field \(known fields: agent, task/);
  const omitted = await callTool(fleet, lead, 'create_task', { subject: 'Write docs', fromUid: lead.uid });
  t.equal(omitted.isError, true, 'an argument the tool leaves out (identity comes from the token)');
  t.match(toolText(omitted), /fromUid: is not a known field/);
  const fine = await callTool(fleet, lead, 'team_assign', { agent: 'lead', task: 'Write docs' });
  t.notOk(fine.isError, toolText(fine));
});

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { requestJson, startFleet, tempDir, type TestFleet } from '../../test/kit/index.js';
import { type Agent, as, callTool, registerTeam, startCoordination, toolJson, toolText } from '../../test/kit/index.js';

const CORE_INDEX = join(import.meta.dirname, '../../core/index.ts');
const TASK_TOOLS = [
  'team_tasks',
  'team_assign',
  'team_complete',
  'team_claim',
  'workitem_create',
  'workitem_update',
  'workitem_list',
  'batch_create',
  'batch_dispatch',
  'list_tasks',
  'create_task',
  'update_task',
];
const MAIL_TOOLS = [
  'team_broadcast',
  'team_send',
  'team_handoff',
  'mail_send',
  'mail_read',
  'send_message',
  'read_messages',
];

const stateOf = (kernel: TestFleet['kernel'], name: string) => kernel.pluginStates().find((s) => s.name === name);

t.test('mail off: tasks is off too, and says why; their routes are 404 and their tools unknown', async (t) => {
  const fleet = await startCoordination(t, { plugins: { auth: true, mail: false, tasks: true } });
  t.same(stateOf(fleet.kernel, 'mail'), { name: 'mail', state: 'off', reason: 'turned off in the config' });
  const tasks = stateOf(fleet.kernel, 'tasks');
  t.match(tasks, { name: 'tasks', state: 'off' }, 'tasks is off although the config turns it on');
  t.match(tasks && 'reason' in tasks ? tasks.reason : '', /mail/, 'the reason names mail');
  t.ok(
    fleet.logs.some((line) => /tasks/.test(line) && /mail/.test(line) && /off/.test(line)),
    'and the log says so',
  );

  const lead = (await registerTeam(fleet, 'alpha', [])).lead;
  for (const [method, path] of [
    ['POST', '/tasks'],
    ['GET', '/tasks/00000000-0000-4000-8000-000000000000'],
    ['GET', '/teams/alpha/tasks'],
    ['GET', '/workitems'],
    ['POST', '/batches'],
    ['POST', '/mail'],
    ['GET', '/mail/lead-alpha'],
    ['POST', '/chats'],
    ['POST', '/teams/alpha/broadcast'],
  ]) {
    const response = await as(
      fleet,
      lead,
      method!,
      path!,
      method === 'POST' ? { subject: 'Nope', text: 'x', to: 'x', body: 'x' } : undefined,
    );
    t.equal(response.status, 404, `${method} ${path}: 404`);
    t.type(response.body?.error, 'string', 'a JSON 404');
  }
  const tools = (await as(fleet, lead, 'GET', '/mcp/tools')).body.tools.map((tool: { name: string }) => tool.name);
  for (const name of [...TASK_TOOLS, ...MAIL_TOOLS]) t.notOk(tools.includes(name), `${name} is not listed`);
  t.ok(tools.includes('team_status'), 'auth still serves team_status');
  const call = await callTool(fleet, lead, 'team_tasks');
  t.equal(toolText(call), 'FLEET_TOOL_NOT_FOUND: Unknown tool: team_tasks');
  const status = toolJson(await callTool(fleet, lead, 'team_status'));
  t.notOk('tasks' in status || 'unread' in status, 'team_status has no tasks or unread sections');
  t.same((await fleet.request('GET', '/health', { token: fleet.adminKey })).body.plugins, ['auth']);
});

t.test('tasks off: mail still works, tasks routes and tools are gone', async (t) => {
  const fleet = await startCoordination(t, { plugins: { auth: true, mail: true, tasks: false } });
  t.same(stateOf(fleet.kernel, 'tasks'), { name: 'tasks', state: 'off', reason: 'turned off in the config' });
  t.same(stateOf(fleet.kernel, 'mail'), { name: 'mail', state: 'on' });
  const alpha = await registerTeam(fleet, 'alpha', ['ann', 'bob']);
  const [ann, bob] = alpha.workers as [Agent, Agent];

  t.equal((await as(fleet, ann, 'POST', '/mail', { to: 'bob', body: 'still here' })).status, 200, 'POST /mail');
  t.equal((await as(fleet, bob, 'GET', '/mail/bob/unread')).body.length, 1, 'GET /mail/:handle/unread');
  const chat = (await as(fleet, ann, 'POST', '/chats', { uid1: ann.uid, uid2: bob.uid })).body.chatId;
  t.equal((await as(fleet, ann, 'POST', `/chats/${chat}/messages`, { text: 'hi' })).status, 200, 'chats');
  t.equal((await as(fleet, alpha.lead, 'POST', '/teams/alpha/broadcast', { text: 'all' })).status, 200, 'broadcast');
  t.equal((await as(fleet, ann, 'POST', '/handoffs', { to: 'bob', context: {} })).status, 200, 'handoffs');
  t.notOk((await callTool(fleet, ann, 'mail_send', { to: 'bob', body: 'tool' })).isError, 'mail tools');

  t.equal((await as(fleet, alpha.lead, 'POST', '/tasks', { subject: 'Nope' })).status, 404, 'POST /tasks is 404');
  t.equal((await as(fleet, alpha.lead, 'GET', '/teams/alpha/tasks')).status, 404);
  t.equal((await as(fleet, alpha.lead, 'GET', '/workitems')).status, 404);
  t.equal(
    toolText(await callTool(fleet, alpha.lead, 'team_assign', { agent: 'ann', task: 'Nope' })),
    'FLEET_TOOL_NOT_FOUND: Unknown tool: team_assign',
  );
  const status = toolJson(await callTool(fleet, bob, 'team_status'));
  t.notOk('tasks' in status, 'no tasks section in team_status');
  t.match(status.unread, { mail: 2, chats: 2 }, 'the unread section is there');
});

t.test(
  'live: turning mail off in fleet.config.ts turns tasks off; turning it on brings both back with their data',
  async (t) => {
    const dir = tempDir(t);
    const file = join(dir, 'fleet.config.ts');
    const write = (plugins: Record<string, boolean>) => {
      const config = { dataDir: join(dir, 'data'), server: { rateLimit: { max: 100000 } }, plugins };
      writeFileSync(
        file,
        `import { defineConfig } from ${JSON.stringify(CORE_INDEX)};\n\n` +
          `export default defineConfig(${JSON.stringify(config, null, 2)});\n`,
      );
    };
    write({ auth: true, mail: true, tasks: true });
    const fleet = await startFleet(t, { configFile: file });
    const { kernel, logs } = fleet;
    const register = async (handle: string, agentType = 'worker') =>
      (
        await requestJson(kernel.url, 'POST', '/auth', {
          token: kernel.adminKey,
          body: { handle, teamName: 'alpha', agentType },
        })
      ).body.token as string;
    const lead = await register('boss', 'team-lead');
    const req = (method: string, path: string, body?: unknown) =>
      requestJson(kernel.url, method, path, { token: lead, body });
    const until = async (what: string, check: () => Promise<boolean>) => {
      const deadline = Date.now() + 15_000;
      while (!(await check())) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    };

    const task = (await req('POST', '/tasks', { subject: 'Survives a toggle' })).body;
    t.equal((await req('GET', `/tasks/${task.id}`)).status, 200);

    write({ auth: true, mail: false, tasks: true });
    await until('tasks to turn off', async () => (await req('GET', `/tasks/${task.id}`)).status === 404);
    t.match(stateOf(kernel, 'tasks'), { state: 'off', reason: /mail/ }, 'tasks off, because mail is');
    t.match(stateOf(kernel, 'mail'), { state: 'off' });
    t.equal((await req('GET', '/mail/boss')).status, 404, 'mail routes are gone');
    t.ok(
      logs.some((line) => /plugin tasks off/.test(line) && /mail/.test(line)),
      'the log says tasks is off because of mail',
    );

    write({ auth: true, mail: true, tasks: true });
    await until('tasks to come back', async () => (await req('GET', `/tasks/${task.id}`)).status === 200);
    t.match(
      (await req('GET', `/tasks/${task.id}`)).body,
      { id: task.id, subject: 'Survives a toggle' },
      'the task is still there',
    );
    t.same(stateOf(kernel, 'tasks'), { name: 'tasks', state: 'on' });
    t.equal((await req('POST', '/tasks', { subject: 'After the toggle' })).status, 200, 'and tasks works again');
  },
);

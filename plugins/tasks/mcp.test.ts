import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import t from 'tap';
import { tempDir, type TestFleet, type TestLike } from '../../test/kit/index.js';
import { type Agent, as, dmChatId, registerTeam, startCoordination, teamChatId } from '../../test/kit/index.js';

const FLEET_BIN = fileURLToPath(new URL('../../bin/fleet.mjs', import.meta.url));
const TOOLS = [
  'team_status',
  'team_broadcast',
  'team_tasks',
  'team_assign',
  'team_complete',
  'team_claim',
  'team_send',
  'team_handoff',
  'workitem_create',
  'workitem_update',
  'workitem_list',
  'batch_create',
  'batch_dispatch',
  'mail_send',
  'mail_read',
  'list_tasks',
  'create_task',
  'send_message',
  'read_messages',
  'update_task',
];

type CallResult = { content: { type: string; text: string }[]; isError?: boolean };

/** The real `fleet mcp` child, as the agent whose token it is given, behind the SDK's client. */
async function bridgeFor(t: TestLike, fleet: TestFleet, agent: Agent) {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [FLEET_BIN, 'mcp'],
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', FLEET_URL: fleet.url, FLEET_TOKEN: agent.token },
    cwd: tempDir(t),
    stderr: 'pipe',
  });
  const client = new Client({ name: `fleet-test-${agent.handle}`, version: '1.0.0' });
  t.teardown(() => client.close());
  await client.connect(transport);
  const call = async (name: string, args: Record<string, unknown> = {}) =>
    (await client.callTool({ name, arguments: args })) as CallResult;
  const text = (result: CallResult) => result.content.map((part) => part.text).join('\n');
  /** Call and parse a successful result; a failed call fails the test with its text. */
  const json = async (name: string, args: Record<string, unknown> = {}) => {
    const result = await call(name, args);
    if (result.isError) throw new Error(`${agent.handle}: ${name} failed: ${text(result)}`);
    return JSON.parse(text(result));
  };
  return { client, call, text, json };
}

t.test('the coordination tools through fleet mcp and the official MCP client', async (t) => {
  const fleet = await startCoordination(t);
  const alpha = await registerTeam(fleet, 'alpha', ['ann', 'bob']);
  const [ann, bob] = alpha.workers as [Agent, Agent];
  const [lead, annMcp, bobMcp] = await Promise.all([
    bridgeFor(t, fleet, alpha.lead),
    bridgeFor(t, fleet, ann),
    bridgeFor(t, fleet, bob),
  ]);

  t.test('tools/list has every tool of issue 5, with object schemas naming the required fields', async (t) => {
    const { tools } = await annMcp.client.listTools();
    const byName = new Map(tools.map((tool) => [tool.name, tool]));
    for (const name of TOOLS) t.ok(byName.has(name), `tools/list has ${name}`);
    const assign = byName.get('team_assign')!;
    t.equal(assign.inputSchema.type, 'object');
    t.same(
      [...((assign.inputSchema as { required?: string[] }).required ?? [])].sort(),
      ['agent', 'task'],
      'team_assign requires agent and task',
    );
    t.match(assign.description, /team leads only/, 'and says who may call it');
    t.same(
      (byName.get('team_claim')!.inputSchema as { required?: string[] }).required ?? [],
      [],
      'team_claim takes an optional task_id',
    );
    t.equal(
      (byName.get('team_handoff')!.inputSchema as { properties: Record<string, { type?: string }> }).properties.context
        ?.type,
      'object',
    );
  });

  t.test('lead team_assign → worker team_tasks mine → update_task in_progress → team_complete', async (t) => {
    const task = await lead.json('team_assign', {
      agent: 'ann',
      task: 'Write the README',
      description: 'Tables and routes',
    });
    t.match(task, { subject: 'Write the README', ownerHandle: 'ann', createdByHandle: 'lead-alpha', status: 'open' });
    const dm = await as(fleet, ann, 'GET', `/chats/${dmChatId(alpha.lead.uid, ann.uid)}/messages`);
    t.match(
      dm.body.at(-1),
      { text: '[TASK] Write the README\n\nTables and routes', metadata: { taskId: task.id, type: 'task_assignment' } },
      'the assignment DM',
    );

    const mine = await annMcp.json('team_tasks', { filter: 'mine' });
    t.same(
      mine.map((x: { id: string }) => x.id),
      [task.id],
      "ann's tasks",
    );
    t.same(await bobMcp.json('team_tasks', { filter: 'mine' }), [], "bob's: none");
    t.same(
      (await annMcp.json('list_tasks', {})).map((x: { id: string }) => x.id),
      [task.id],
      'list_tasks is the alias',
    );

    t.match(await annMcp.json('update_task', { task_id: task.id, status: 'in_progress' }), {
      id: task.id,
      status: 'in_progress',
    });
    const stranger = await bobMcp.call('update_task', { task_id: task.id, status: 'resolved' });
    t.equal(stranger.isError, true, "bob may not change ann's task");
    t.match(bobMcp.text(stranger), /^TASKS_NOT_EDITOR: Only the task owner, its creator or a team lead/);
    t.match(await annMcp.json('team_complete', { task_id: task.id }), { id: task.id, status: 'resolved' });
    t.match((await as(fleet, alpha.lead, 'GET', `/tasks/${task.id}`)).body, { status: 'resolved' }, 'stored');
  });

  t.test('blockers through the tools: team_complete refused while a blocker is open', async (t) => {
    const blocker = await lead.json('create_task', { subject: 'Blocker task' });
    const blocked = await lead.json('team_assign', { agent: 'bob', task: 'Blocked task', blocked_by: [blocker.id] });
    const refused = await bobMcp.call('team_complete', { task_id: blocked.id });
    t.equal(refused.isError, true);
    t.equal(
      bobMcp.text(refused),
      `TASKS_BLOCKED: Cannot resolve task: blocked by unresolved tasks {"blockedBy":["${blocker.id}"]}`,
    );
    t.same(
      (await bobMcp.json('team_tasks', { filter: 'ready' })).map((x: { id: string }) => x.id),
      [blocker.id],
      'ready: only the blocker',
    );
    t.match(
      await bobMcp.json('team_claim', {}),
      { id: blocker.id, ownerHandle: 'bob' },
      'team_claim takes the ready one',
    );
    await bobMcp.json('team_complete', { task_id: blocker.id });
    t.match(
      await bobMcp.json('team_complete', { task_id: blocked.id }),
      { status: 'resolved' },
      'then the blocked one resolves',
    );
  });

  t.test(
    'mail_send → mail_read with mark_read; send_message / read_messages aliases; team_send; team_handoff',
    async (t) => {
      const sent = await annMcp.json('mail_send', { to: 'bob', body: 'Review please', subject: 'PR 7' });
      t.match(sent, { fromHandle: 'ann', toHandle: 'bob', subject: 'PR 7', body: 'Review please', readAt: null });
      await annMcp.json('send_message', { to: 'bob', body: 'And the docs' });
      const unread = await bobMcp.json('mail_read', { mark_read: true });
      t.same(
        unread.map((m: { body: string }) => m.body),
        ['And the docs', 'Review please'],
        'unread, newest first',
      );
      t.same(await bobMcp.json('mail_read', {}), [], 'marked read: none unread now');
      const all = await bobMcp.json('read_messages', { filter: 'all' });
      t.equal(all.length, 2, 'read_messages (alias) with filter all');
      t.ok(
        all.every((m: { readAt: number | null }) => typeof m.readAt === 'number'),
        'both read',
      );

      const dm = await annMcp.json('team_send', { handle: 'bob', message: 'ping from ann' });
      t.match(dm, { chatId: dmChatId(ann.uid, bob.uid), fromHandle: 'collab:ann', text: 'ping from ann' });
      const chats = await as(fleet, bob, 'GET', `/chats/${dm.chatId}/messages`);
      t.equal(chats.body.at(-1).text, 'ping from ann', 'bob reads it over HTTP');
      const missing = await annMcp.call('team_send', { handle: 'nobody', message: 'hello?' });
      t.equal(annMcp.text(missing), 'MAIL_AGENT_NOT_FOUND: Agent nobody not found');

      const handoff = await annMcp.json('team_handoff', { to: 'bob', context: { branch: 'fleet/ann' } });
      t.match(handoff, { fromHandle: 'ann', toHandle: 'bob', status: 'pending', context: { branch: 'fleet/ann' } });
      t.equal((await as(fleet, bob, 'GET', '/handoffs/bob')).body.length, 1);
      const broadcast = await lead.json('team_broadcast', { message: 'standup' });
      t.equal(broadcast.chatId, teamChatId('alpha'));
    },
  );

  t.test('team_status shows task counts, my open tasks and unread counts', async (t) => {
    await annMcp.json('mail_send', { to: 'bob', body: 'one more' });
    const open = await lead.json('team_assign', { agent: 'bob', task: 'Still open' });
    const status = await bobMcp.json('team_status');
    t.equal(status.team, 'alpha');
    t.same(status.agents.map((a: { handle: string }) => a.handle).sort(), ['ann', 'bob', 'lead-alpha']);
    t.same(status.tasks.counts, { open: 1, in_progress: 0, resolved: 3, blocked: 0 }, 'counts by status');
    t.same(status.tasks.mine, [{ id: open.id, subject: 'Still open', status: 'open' }], "bob's unresolved tasks");
    t.equal(status.unread.mail, 1, 'one unread mail');
    const bobChats = (await as(fleet, bob, 'GET', `/users/${bob.uid}/chats`)).body as { unread: number }[];
    t.equal(
      status.unread.chats,
      bobChats.reduce((sum, chat) => sum + chat.unread, 0),
      'chat unread = the sum over his chats',
    );
    t.ok(status.unread.chats >= 3, 'the DM from ann, the assignment and the broadcast');
  });

  t.test('work items and batches through the tools', async (t) => {
    const item = await annMcp.json('workitem_create', { title: 'Lexer', assignedTo: 'ann' });
    t.match(item.id, /^wi-[a-z0-9]{5}$/);
    t.match(await annMcp.json('workitem_update', { workitem_id: item.id, status: 'in_progress', reason: 'started' }), {
      status: 'in_progress',
      history: [{ eventType: 'created' }, { eventType: 'status_changed', details: { reason: 'started' } }],
    });
    t.same(
      (await annMcp.json('workitem_list', { filter: 'mine' })).map((w: { id: string }) => w.id),
      [item.id],
    );
    t.same(await bobMcp.json('workitem_list', { filter: 'mine' }), []);
    const batch = await lead.json('batch_create', { name: 'Sprint', workitem_ids: [item.id] });
    t.same(
      batch.workItems.map((w: { id: string }) => w.id),
      [item.id],
    );
    t.same(
      (await annMcp.json('workitem_list', { batch_id: batch.id })).map((w: { id: string }) => w.id),
      [item.id],
    );
    const dispatch = await lead.call('batch_dispatch', { batch_id: batch.id, worker: 'ann' });
    t.equal(dispatch.isError, true, 'no workers plugin in this fleet');
    t.match(lead.text(dispatch), /^TASKS_WORKERS_OFF: Workers are off/);
  });

  t.test(
    'roles are enforced by the server: a worker calling team_assign, team_broadcast or batch_dispatch',
    async (t) => {
      for (const [name, args] of [
        ['team_assign', { agent: 'bob', task: 'Sneaky' }],
        ['team_broadcast', { message: 'hi all' }],
        ['batch_dispatch', { batch_id: '00000000-0000-4000-8000-000000000000', worker: 'bob' }],
      ] as const) {
        const denied = await annMcp.call(name, args);
        t.equal(denied.isError, true, `${name}: isError`);
        t.match(
          annMcp.text(denied),
          /^FLEET_INSUFFICIENT_PERMISSIONS: Insufficient permissions \{"required":"team-lead","current":"worker"\}$/,
        );
      }
      t.notOk(
        (await as(fleet, bob, 'GET', '/teams/alpha/tasks')).body.some(
          (x: { subject: string }) => x.subject === 'Sneaky',
        ),
        'nothing was assigned',
      );
    },
  );

  t.test('bad arguments: an isError result naming the field', async (t) => {
    for (const [bridge, name, args, field] of [
      [lead, 'team_assign', { agent: 'ann' }, 'task'],
      [lead, 'team_assign', { agent: 'ann', task: 'no' }, 'task'],
      [annMcp, 'update_task', { task_id: 'nope', status: 'resolved' }, 'task_id'],
      [annMcp, 'update_task', { task_id: '00000000-0000-4000-8000-000000000000', status: 'done' }, 'status'],
      [annMcp, 'team_claim', { task_id: 5 }, 'task_id'],
      [annMcp, 'mail_send', { to: 'bob' }, 'body'],
      [annMcp, 'mail_read', { filter: 'new' }, 'filter'],
      [annMcp, 'team_handoff', { to: 'bob', context: ['not', 'an', 'object'] }, 'context'],
      [annMcp, 'workitem_update', { workitem_id: 'wi-TOOLONG', status: 'completed' }, 'workitem_id'],
    ] as const) {
      const result = await bridge.call(name, args);
      t.equal(result.isError, true, `${name} ${JSON.stringify(args)}: isError`);
      t.match(bridge.text(result), new RegExp(`^FLEET_INVALID_INPUT: ${field}: `), `names ${field}`);
    }
  });
});

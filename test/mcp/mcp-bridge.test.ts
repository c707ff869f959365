import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import t from 'tap';
import * as v from 'valibot';
import { definePlugin, operationsFor } from '../../core/index.js';
import { startFleet, tempDir, type TestFleet, type TestLike } from '../kit/index.js';

const FLEET_BIN = fileURLToPath(new URL('../../bin/fleet.mjs', import.meta.url));
const execFileAsync = promisify(execFile);

/** A lead-only tool and a tool with a required typed argument, served like any plugin's. */
const op = operationsFor<void>();
const probe = definePlugin({
  name: 'mcpprobe',
  operations: [
    op({
      name: 'leadOnly',
      summary: 'Something only a team lead may do.',
      access: 'lead',
      input: v.object({ note: v.pipe(v.string('must be a string'), v.minLength(1, 'must not be empty')) }),
      tools: [{ name: 'test_lead_only' }],
      run: ({ input, caller }) => ({ done: true, note: input.note, by: caller.handle }),
    }),
    op({
      name: 'typed',
      summary: 'Doubles a positive integer.',
      access: 'agent',
      input: v.object({
        count: v.pipe(
          v.number('must be a number'),
          v.integer('must be an integer'),
          v.minValue(1, 'must be at least 1'),
        ),
        label: v.optional(v.string('must be a string')),
      }),
      tools: [{ name: 'test_typed' }],
      run: ({ input, caller }) => ({ doubled: input.count * 2, label: input.label ?? null, by: caller.handle }),
    }),
  ],
  setup: () => undefined,
});

const plugins = { auth: true, metrics: true, mcpprobe: true };

interface Bridge {
  client: Client;
  stderr: () => string;
}

/** Start the real `fleet mcp` child and connect the SDK's client to it over stdio. */
async function connect(t: TestLike, env: Record<string, string>, cwd: string): Promise<Bridge> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [FLEET_BIN, 'mcp'],
    // The transport adds only HOME, PATH and a few others; nothing of this test's own environment leaks in.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    cwd,
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const client = new Client({ name: 'fleet-test', version: '1.0.0' });
  t.teardown(() => client.close());
  await client.connect(transport);
  return { client, stderr: () => stderr };
}

type CallResult = { content: { type: string; text: string }[]; isError?: boolean };

async function call(bridge: Bridge, name: string, args: Record<string, unknown> = {}): Promise<CallResult> {
  return (await bridge.client.callTool({ name, arguments: args })) as CallResult;
}

const textOf = (result: CallResult) => result.content.map((part) => part.text).join('\n');

async function fleetWithProbe(t: TestLike): Promise<TestFleet> {
  return startFleet(t, { plugins, extraPlugins: [probe] });
}

t.test('fleet mcp with FLEET_TOKEN: tools/list, good and bad calls, roles enforced by the server', async (t) => {
  const fleet = await fleetWithProbe(t);
  const worker = await fleet.register('wanda', 'alpha');
  await fleet.register('boss', 'alpha', 'team-lead');
  await fleet.register('bob', 'beta');
  const cwd = tempDir(t);
  const bridge = await connect(t, { FLEET_URL: fleet.url, FLEET_TOKEN: worker.token }, cwd);

  const { tools } = await bridge.client.listTools();
  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  for (const name of ['team_status', 'test_lead_only', 'test_typed']) t.ok(byName.has(name), `tools/list has ${name}`);
  for (const tool of tools) {
    t.equal(tool.inputSchema.type, 'object', `${tool.name}: an object schema`);
    t.type(tool.description, 'string');
  }
  const typed = byName.get('test_typed')!.inputSchema as {
    properties?: Record<string, { type?: string }>;
    required?: string[];
  };
  t.match(typed.properties?.count?.type, /^(number|integer)$/, 'count is typed in JSON Schema');
  t.equal(typed.properties?.label?.type, 'string');
  t.same(typed.required, ['count'], 'only count is required');
  t.match(byName.get('test_lead_only')!.description, /team leads only/, 'the description says who may call it');

  const status = await call(bridge, 'team_status');
  t.notOk(status.isError, 'team_status succeeds');
  const body = JSON.parse(textOf(status));
  t.equal(body.team, 'alpha');
  t.match(body.you, { handle: 'wanda', agentType: 'worker' });
  t.same(
    body.agents.map((agent: { handle: string }) => agent.handle),
    ['boss', 'wanda'],
    "the team's agents, and no one of another team",
  );

  const good = await call(bridge, 'test_typed', { count: 21 });
  t.notOk(good.isError);
  t.same(JSON.parse(textOf(good)), { doubled: 42, label: null, by: 'wanda' }, "the caller is the token's agent");

  for (const [name, args, field] of [
    ['a string for a number', { count: 'three' }, 'count'],
    ['a missing argument', {}, 'count'],
    ['a fraction', { count: 1.5 }, 'count'],
    ['an optional of the wrong type', { count: 1, label: 7 }, 'label'],
  ] as const) {
    const bad = await call(bridge, 'test_typed', args);
    t.equal(bad.isError, true, `${name}: an isError result`);
    t.match(textOf(bad), new RegExp(`\\b${field}: `), `${name}: names the field ${field}`);
  }

  const denied = await call(bridge, 'test_lead_only', { note: 'ship it' });
  t.equal(denied.isError, true, 'a worker calling a lead-only tool');
  t.match(textOf(denied), /^FLEET_INSUFFICIENT_PERMISSIONS: Insufficient permissions/);
  t.notMatch(textOf(denied), /"done"/, 'and the handler did not run');

  const unknown = await call(bridge, 'no_such_tool');
  t.equal(unknown.isError, true);
  t.match(textOf(unknown), /Unknown tool/);
});

t.test("a team lead's token may call the lead-only tool", async (t) => {
  const fleet = await fleetWithProbe(t);
  const lead = await fleet.register('boss', 'alpha', 'team-lead');
  const bridge = await connect(t, { FLEET_URL: fleet.url, FLEET_TOKEN: lead.token }, tempDir(t));
  const result = await call(bridge, 'test_lead_only', { note: 'ship it' });
  t.notOk(result.isError, textOf(result));
  t.same(JSON.parse(textOf(result)), { done: true, note: 'ship it', by: 'boss' });
  const bad = await call(bridge, 'test_lead_only', { note: '' });
  t.equal(bad.isError, true, 'arguments are still checked for a lead');
  t.match(textOf(bad), /note: must not be empty/);
});

t.test('without FLEET_TOKEN, fleet mcp registers itself with the admin key from the data dir', async (t) => {
  const fleet = await fleetWithProbe(t);
  const bridge = await connect(
    t,
    {
      FLEET_URL: fleet.url,
      CLAUDE_CODE_AGENT_NAME: 'person-1',
      CLAUDE_CODE_TEAM_NAME: 'gamma',
      CLAUDE_CODE_AGENT_TYPE: 'team-lead',
      FLEET_DATA_DIR: fleet.dataDir,
    },
    tempDir(t),
  );
  const status = await call(bridge, 'team_status');
  t.notOk(status.isError, textOf(status));
  t.match(JSON.parse(textOf(status)), { team: 'gamma', you: { handle: 'person-1', agentType: 'team-lead' } });
  const lead = await call(bridge, 'test_lead_only', { note: 'from a person' });
  t.notOk(lead.isError, 'registered with the asked-for agent type');

  const member = await fleet.register('gamma-worker', 'gamma');
  const team = await fleet.request('GET', '/teams/gamma/agents', { token: member.token });
  t.equal(team.status, 200);
  t.ok(
    team.body.some(
      (agent: { handle: string; agentType: string }) => agent.handle === 'person-1' && agent.agentType === 'team-lead',
    ),
    'the agent appears in its team',
  );
});

t.test("the seed's CLAUDE_FLEET_URL is accepted instead of FLEET_URL", async (t) => {
  const fleet = await fleetWithProbe(t);
  const worker = await fleet.register('wanda', 'alpha');
  // The fleet listens on a random port, so only CLAUDE_FLEET_URL can lead the bridge to it.
  const bridge = await connect(t, { CLAUDE_FLEET_URL: `${fleet.url}/`, FLEET_TOKEN: worker.token }, tempDir(t));
  const result = await call(bridge, 'test_typed', { count: 2 });
  t.notOk(result.isError, textOf(result));
  t.same(JSON.parse(textOf(result)), { doubled: 4, label: null, by: 'wanda' });
});

t.test('an auto-registered bridge registers again when its token expires', async (t) => {
  const fleet = await startFleet(t, { plugins, extraPlugins: [probe], config: { auth: { jwtExpiresIn: '1s' } } });
  const bridge = await connect(
    t,
    {
      FLEET_URL: fleet.url,
      CLAUDE_CODE_AGENT_NAME: 'person-2',
      CLAUDE_CODE_TEAM_NAME: 'delta',
      FLEET_DATA_DIR: fleet.dataDir,
    },
    tempDir(t),
  );
  t.notOk((await call(bridge, 'test_typed', { count: 1 })).isError, 'first call registers');
  // A token minted after the bridge's expires no earlier than it: once this one is refused, so is the bridge's.
  const probeToken = (await fleet.register('clock', 'delta')).token;
  let status = 200;
  const deadline = Date.now() + 5000;
  while (status === 200 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    status = (await fleet.request('GET', '/teams/delta/agents', { token: probeToken })).status;
  }
  t.equal(status, 401, 'tokens have expired');
  const after = await call(bridge, 'test_typed', { count: 5 });
  t.notOk(after.isError, textOf(after));
  t.same(JSON.parse(textOf(after)), { doubled: 10, label: null, by: 'person-2' });
});

t.test('fleet mcp says clearly what is missing and exits non-zero', async (t) => {
  const fleet = await fleetWithProbe(t);
  const cwd = tempDir(t);
  const base = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', FLEET_URL: fleet.url };
  const run = async (env: Record<string, string>) => {
    try {
      await execFileAsync(process.execPath, [FLEET_BIN, 'mcp'], { env: { ...base, ...env }, cwd, timeout: 20_000 });
      return { code: 0, stderr: '' };
    } catch (error) {
      const failure = error as { code?: number; stderr?: string };
      return { code: failure.code ?? -1, stderr: failure.stderr ?? '' };
    }
  };

  const nothing = await run({});
  t.not(nothing.code, 0, 'no token and no agent name');
  t.match(nothing.stderr, /FLEET_TOKEN/);
  t.match(nothing.stderr, /CLAUDE_CODE_AGENT_NAME/);
  t.equal(nothing.stderr.trim().split('\n').length, 1, 'one line, no stack');

  const noKey = await run({ CLAUDE_CODE_AGENT_NAME: 'person', FLEET_DATA_DIR: cwd });
  t.not(noKey.code, 0, 'no admin key to register with');
  t.match(noKey.stderr, /admin/);
  t.ok(noKey.stderr.includes(cwd), 'names where it looked');

  const badType = await run({
    CLAUDE_CODE_AGENT_NAME: 'person',
    CLAUDE_CODE_AGENT_TYPE: 'overlord',
    FLEET_DATA_DIR: fleet.dataDir,
  });
  t.not(badType.code, 0);
  t.match(badType.stderr, /CLAUDE_CODE_AGENT_TYPE/);
});

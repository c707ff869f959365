import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import * as v from 'valibot';
import type { Kysely } from 'kysely';
import { Kernel } from '../../core/kernel/kernel.js';
import { createLogger } from '../../core/log.js';
import { type AnyPlugin, definePlugin, defineTables, operationsFor } from '../../core/index.js';
import { requestJson, type TestLike, tempDir } from '../kit/index.js';

const CORE_INDEX = join(import.meta.dirname, '../../core/index.ts');
const op = operationsFor<unknown>();

/** Write fleet.config.ts the way a person would: a module with a default export. */
function writeConfig(file: string, config: unknown): void {
  writeFileSync(
    file,
    `import { defineConfig } from ${JSON.stringify(CORE_INDEX)};\n\n` +
      `export default defineConfig(${JSON.stringify(config, null, 2)});\n`,
  );
}

interface LiveFleet {
  kernel: Kernel;
  file: string;
  logs: string[];
  get(path: string, token?: string): Promise<{ status: number; body: any }>;
  /** Write the config file and wait until `ready` holds (the watcher has applied it). */
  edit(config: unknown, ready: () => Promise<boolean> | boolean): Promise<void>;
}

/** Poll `check` until it holds; fail with `what` after the deadline. */
async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Boot a fleet from a real config file in a temp dir, watched for edits. */
t.test('a plugin that uses another optionally is restarted when that one restarts, starts or stops', async (t) => {
  // host keeps a list of guards; guarded adds one in start (as policy adds its launch guard to workers).
  const count = operationsFor<{ guards: () => number }>();
  const host = definePlugin({
    name: 'host',
    config: v.object({ size: v.optional(v.number(), 1) }),
    operations: [
      count({
        name: 'guards',
        summary: 'guards',
        access: 'public',
        input: v.object({}),
        http: { method: 'GET', path: '/guards' },
        run: ({ api }) => ({ guards: api.guards() }),
      }),
    ],
    setup() {
      const guards = new Set<string>();
      return { guards: () => guards.size, add: (name: string) => (guards.add(name), () => guards.delete(name)) };
    },
  });
  const guarded = definePlugin({
    name: 'guarded',
    optionalDependsOn: ['host'],
    setup: () => ({}),
    start(ctx) {
      const used = ctx.use<{ add(name: string): () => void } | undefined>('host');
      if (used) ctx.onStop(used.add('guarded'));
    },
  });
  const fleet = await liveFleet(t, { plugins: { host: true, guarded: true } }, [host, guarded]);
  const guards = async () => (await fleet.get('/guards')).body?.guards;
  t.equal(await guards(), 1, 'registered at boot');

  await fleet.edit({ plugins: { host: { size: 2 }, guarded: true } }, async () => logged(fleet.logs, /guarded off/));
  await until('the guard to be back', async () => (await guards()) === 1);
  t.ok(logged(fleet.logs, /plugin guarded off: restarting with new options/), 'restarted with host');

  await fleet.edit({ plugins: { guarded: true } }, () => stateOf(fleet.kernel, 'host')?.state === 'off');
  await until('guarded to run again', () => stateOf(fleet.kernel, 'guarded')?.state === 'on');
  t.ok(logged(fleet.logs, /plugin guarded off: restarting: host, which it uses, stops/));

  await fleet.edit({ plugins: { host: true, guarded: true } }, async () => (await guards()) === 1);
  t.ok(logged(fleet.logs, /plugin guarded off: restarting: host, which it uses, starts/), 'and when host comes back');
});

async function liveFleet(t: TestLike, config: unknown, plugins: AnyPlugin[] = []): Promise<LiveFleet> {
  const dir = tempDir(t);
  const file = join(dir, 'fleet.config.ts');
  writeConfig(file, config);
  const logs: string[] = [];
  const kernel = await Kernel.boot({
    path: file,
    env: {},
    overrides: { server: { port: 0 } },
    plugins,
    log: createLogger({ level: 'debug', sink: (line) => logs.push(line) }),
  });
  t.teardown(() => kernel.stop());
  return {
    kernel,
    file,
    logs,
    get: (path, token) => requestJson(kernel.url, 'GET', path, { token }),
    async edit(next, ready) {
      writeConfig(file, next);
      await until(`the edit ${JSON.stringify(next)} to apply`, ready);
    },
  };
}

const stateOf = (kernel: Kernel, name: string) => kernel.pluginStates().find((s) => s.name === name);
const logged = (logs: string[], pattern: RegExp) => logs.some((line) => pattern.test(line));

t.test('turning metrics off answers 404 at /metrics; turning it on serves it again', async (t) => {
  const fleet = await liveFleet(t, { plugins: { auth: true, metrics: true } });
  t.equal((await fleet.get('/metrics')).status, 200);

  await fleet.edit(
    { plugins: { auth: true, metrics: false } },
    async () => (await fleet.get('/metrics')).status === 404,
  );
  const gone = await fleet.get('/metrics');
  t.equal(gone.status, 404);
  t.type(gone.body, 'object', 'the 404 is JSON');
  t.type(gone.body.error, 'string');
  t.same(stateOf(fleet.kernel, 'metrics'), { name: 'metrics', state: 'off', reason: 'turned off in the config' });
  t.same((await fleet.get('/health', fleet.kernel.adminKey)).body.plugins, ['auth']);
  t.ok(logged(fleet.logs, /plugin metrics off: turned off in the config/));
  t.equal(fleet.kernel.config.plugins.metrics, false, 'the kernel holds the new config');

  await fleet.edit(
    { plugins: { auth: true, metrics: true } },
    async () => (await fleet.get('/metrics')).status === 200,
  );
  const back = await fleet.get('/metrics');
  t.match(back.body, /fleet_http_requests_total/);
  t.same(stateOf(fleet.kernel, 'metrics'), { name: 'metrics', state: 'on' });
});

t.test('an editor-style save (write a temp file, rename over) is picked up too', async (t) => {
  const fleet = await liveFleet(t, { plugins: { auth: true, metrics: true } });
  const temp = join(fleet.file, '..', '.fleet.config.ts.swp');
  writeFileSync(temp, `export default ${JSON.stringify({ plugins: { auth: true, metrics: false } })};\n`);
  renameSync(temp, fleet.file);
  await until('/metrics to go away', async () => (await fleet.get('/metrics')).status === 404);
  t.pass('applied');
});

t.test('a plugin turned off takes its tools and routes along, and its dependents with it', async (t) => {
  const events: string[] = [];
  const widget = definePlugin({
    name: 'widget',
    operations: [
      op({
        name: 'widget',
        summary: 'a widget',
        access: 'public',
        input: v.object({}),
        http: { method: 'GET', path: '/widget' },
        run: () => ({ widget: true }),
      }),
      op({
        name: 'ping',
        summary: 'ping',
        access: 'agent',
        input: v.object({}),
        tools: [{ name: 'widget_ping' }],
        run: () => 'pong',
      }),
    ],
    setup() {
      events.push('start:widget');
    },
    stop: () => void events.push('stop:widget'),
  });
  const gadget = definePlugin({
    name: 'gadget',
    dependsOn: ['widget'],
    operations: [
      op({
        name: 'ping',
        summary: 'ping',
        access: 'agent',
        input: v.object({}),
        tools: [{ name: 'gadget_ping' }],
        run: () => 'pong',
      }),
    ],
    setup() {
      events.push('start:gadget');
    },
    stop: () => void events.push('stop:gadget'),
  });
  const fleet = await liveFleet(t, { plugins: { auth: true, widget: true, gadget: true } }, [widget, gadget]);
  const toolNames = () => fleet.kernel.tools.list().map((tool) => tool.name);
  t.same(toolNames(), ['agent_revoke', 'gadget_ping', 'team_status', 'widget_ping']);
  t.equal((await fleet.get('/widget')).status, 200);
  const registered = await requestJson(fleet.kernel.url, 'POST', '/auth', {
    token: fleet.kernel.adminKey,
    body: { handle: 'lead', teamName: 'alpha', agentType: 'team-lead' },
  });
  const token: string = registered.body.token;

  events.length = 0;
  await fleet.edit(
    { plugins: { auth: true, widget: false, gadget: true } },
    () => !toolNames().includes('widget_ping'),
  );
  t.same(toolNames(), ['agent_revoke', 'team_status'], 'the dependent tool left too');
  t.same(events, ['stop:gadget', 'stop:widget'], 'the dependent stopped first');
  t.equal((await fleet.get('/widget')).status, 404);
  t.same(
    (await fleet.get('/mcp/tools', token)).body.tools.map((tool: { name: string }) => tool.name),
    ['agent_revoke', 'team_status'],
    'tools/list over HTTP agrees',
  );
  const call = await requestJson(fleet.kernel.url, 'POST', '/mcp/call', { token, body: { name: 'widget_ping' } });
  t.equal(call.body.isError, true);
  t.match(call.body.content[0].text, /^FLEET_TOOL_NOT_FOUND: Unknown tool: widget_ping/);
  t.same(stateOf(fleet.kernel, 'gadget'), { name: 'gadget', state: 'off', reason: 'depends on widget, which is off' });
  t.ok(logged(fleet.logs, /plugin gadget off: depends on widget, which is off/), 'the log says why gadget went off');
  t.ok(logged(fleet.logs, /plugin widget off: turned off in the config/));

  events.length = 0;
  await fleet.edit({ plugins: { auth: true, widget: true, gadget: true } }, () => toolNames().includes('gadget_ping'));
  t.same(events, ['start:widget', 'start:gadget']);
  t.same(toolNames(), ['agent_revoke', 'gadget_ping', 'team_status', 'widget_ping']);
  t.equal((await fleet.get('/widget')).status, 200);
});

t.test('a plugin turned on is migrated, then started', async (t) => {
  const ledger = definePlugin({
    name: 'ledger',
    tables: defineTables<{ ledger_entries: { id: number; amount: number } }>({ ledger_entries: 'entries' }),
    operations: [
      op({
        name: 'add',
        summary: 'add an entry',
        access: 'public',
        input: v.object({ amount: v.number() }),
        http: { method: 'POST', path: '/ledger' },
        run: async ({ input, ctx }) => {
          const db = ctx.db;
          await db.insertInto('ledger_entries').values({ amount: input.amount }).execute();
          const row = await db
            .selectFrom('ledger_entries')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow();
          return { entries: Number(row.n) };
        },
      }),
    ],
    migrations: {
      '0001_entries': {
        async up(db: Kysely<any>) {
          await db.schema
            .createTable('ledger_entries')
            .addColumn('id', 'integer', (c) => c.primaryKey())
            .addColumn('amount', 'integer')
            .execute();
        },
      },
    },
    setup() {},
  });
  const fleet = await liveFleet(t, { plugins: { auth: true, ledger: false } }, [ledger]);
  const trackingTables = async () =>
    (
      await fleet.kernel.db
        .selectFrom('sqlite_master')
        .select('name')
        .where('name', '=', 'fleet_migrations_ledger')
        .execute()
    ).length;
  t.equal(await trackingTables(), 0, 'a plugin that is off is not migrated');

  await fleet.edit({ plugins: { auth: true, ledger: true } }, () => stateOf(fleet.kernel, 'ledger')?.state === 'on');
  t.equal(await trackingTables(), 1);
  const applied = await fleet.kernel.db.selectFrom('fleet_migrations_ledger').select('name').execute();
  t.same(
    applied.map((r) => r.name),
    ['0001_entries'],
  );
  t.ok(logged(fleet.logs, /plugin ledger on .*0001_entries/), 'the log names the migration');
  const posted = await requestJson(fleet.kernel.url, 'POST', '/ledger', { body: { amount: 5 } });
  t.equal(posted.status, 200);
  t.same(posted.body, { entries: 1 });
});

t.test('changed plugin options restart the plugin, and its dependents with the new api', async (t) => {
  const greet = operationsFor<{ greeting: string }>();
  const greeter = definePlugin({
    name: 'greeter',
    config: v.object({ greeting: v.optional(v.string(), 'hello') }),
    operations: [
      greet({
        name: 'greet',
        summary: 'greet',
        access: 'public',
        input: v.object({}),
        http: { method: 'GET', path: '/greet' },
        run: ({ api }) => ({ greeting: api.greeting }),
      }),
    ],
    setup: (ctx) => ({ greeting: ctx.options.greeting }),
  });
  const echo = definePlugin({
    name: 'echo',
    dependsOn: ['greeter'],
    operations: [
      greet({
        name: 'echo',
        summary: 'echo',
        access: 'public',
        input: v.object({}),
        http: { method: 'GET', path: '/echo' },
        run: ({ api }) => ({ echoed: api.greeting }),
      }),
    ],
    // The api of greeter, read once: stale after greeter restarts, unless echo restarts too.
    setup: (ctx) => ({ greeting: ctx.use<{ greeting: string }>('greeter').greeting }),
  });
  const fleet = await liveFleet(t, { plugins: { greeter: true, echo: true } }, [greeter, echo]);
  t.same((await fleet.get('/greet')).body, { greeting: 'hello' });
  t.same((await fleet.get('/echo')).body, { echoed: 'hello' });
  await fleet.edit(
    { plugins: { greeter: { greeting: 'ahoy' }, echo: true } },
    async () => (await fleet.get('/greet')).body?.greeting === 'ahoy',
  );
  t.same((await fleet.get('/echo')).body, { echoed: 'ahoy' }, 'the dependent sees the new api');
  t.ok(logged(fleet.logs, /plugin greeter off: restarting with new options/));
  t.ok(logged(fleet.logs, /plugin echo off: restarting with new options/));
});

t.test(
  'an edit that turns on a plugin taking a tool name already in use is rejected before anything starts',
  async (t) => {
    let started = false;
    const copycat = definePlugin({
      name: 'copycat',
      operations: [
        op({
          name: 'own',
          summary: 'mine',
          access: 'agent',
          input: v.object({}),
          tools: [{ name: 'copycat_own' }],
          run: () => 'mine',
        }),
        op({
          name: 'stolen',
          summary: 'stolen',
          access: 'agent',
          input: v.object({}),
          tools: [{ name: 'team_status' }],
          run: () => 'stolen',
        }),
      ],
      setup() {
        started = true;
      },
    });
    const fleet = await liveFleet(t, { plugins: { auth: true, copycat: false } }, [copycat]);
    await fleet.edit({ plugins: { auth: true, copycat: true } }, () => logged(fleet.logs, /config rejected/));
    t.ok(
      logged(
        fleet.logs,
        new RegExp(
          'config rejected, keeping the last good one: ' +
            'tool team_status of plugin copycat is already registered by plugin auth.*FLEET_ERR_DUPLICATE_TOOL',
        ),
      ),
    );
    t.notOk(started, 'copycat never started');
    t.same(
      fleet.kernel.tools.list().map((tool) => tool.name),
      ['agent_revoke', 'team_status'],
      'no tool of copycat',
    );
    t.match(
      fleet.kernel.tools.list().find((tool) => tool.name === 'team_status')?.description,
      /Your team at a glance/,
      'auth keeps its tool',
    );
  },
);

t.test('an invalid edit is rejected with a clear log line and the fleet keeps its last good config', async (t) => {
  const fleet = await liveFleet(t, { plugins: { auth: true, metrics: true } });
  const rejections = () => fleet.logs.filter((line) => /config rejected, keeping the last good one/.test(line));
  const reject = async (write: () => void, pattern: RegExp) => {
    const before = rejections().length;
    write();
    await until('the edit to be rejected', () => rejections().length > before);
    const line = rejections().at(-1)!;
    t.match(line, pattern, line);
    t.match(line, /\berror\b/, 'logged as an error');
    t.equal((await fleet.get('/metrics')).status, 200, 'metrics still served');
    t.equal(fleet.kernel.config.plugins.metrics, true, 'the last good config is kept');
  };

  // Each bad edit also drops metrics: none of them may take effect.
  await reject(
    () => writeConfig(fleet.file, { server: { port: 'x' }, plugins: { auth: true } }),
    /server\.port: must be a number/,
  );
  await reject(
    () => writeConfig(fleet.file, { plugins: { auth: true, nosuch: true } }),
    /plugins\.nosuch: no such plugin.*FLEET_ERR_PLUGIN_UNKNOWN/,
  );
  await reject(
    () => writeConfig(fleet.file, { sever: { port: 1 }, plugins: { auth: true } }),
    /sever: is not a known key/,
  );
  await reject(
    () => writeFileSync(fleet.file, 'export default { plugins: { auth: true,, };\n'),
    /cannot be loaded.*FLEET_ERR_CONFIG_LOAD/,
  );
  t.same((await fleet.get('/health', fleet.kernel.adminKey)).body.plugins, ['auth', 'metrics']);

  // The watcher survives rejections: the next good edit applies.
  await fleet.edit(
    { plugins: { auth: true, metrics: false } },
    async () => (await fleet.get('/metrics')).status === 404,
  );
  t.pass('a good edit after bad ones applies');
});

t.test('kernel-level settings changed in the file wait for a restart', async (t) => {
  const fleet = await liveFleet(t, { events: { ringCapacity: 500 }, plugins: { auth: true, metrics: true } });
  await fleet.edit(
    { events: { ringCapacity: 900 }, plugins: { auth: true, metrics: false } },
    async () => (await fleet.get('/metrics')).status === 404,
  );
  t.ok(logged(fleet.logs, /events changed; restart the fleet to apply it/));
  t.equal(fleet.kernel.config.events.ringCapacity, 500, 'the running value is kept');
});

t.test('a plugin that fails to start on an edit is reported, and its dependents stay off', async (t) => {
  let dependentApi: unknown = 'never set up';
  const fragile = definePlugin({
    name: 'fragile',
    migrations: {
      '0001_fails': {
        async up() {
          throw new Error('no space left');
        },
      },
    },
    setup: () => ({ fragile: true }),
  });
  const leaning = definePlugin({
    name: 'leaning',
    dependsOn: ['fragile'],
    setup(ctx) {
      dependentApi = ctx.use('fragile');
    },
  });
  const fleet = await liveFleet(t, { plugins: { auth: true, metrics: true, fragile: false, leaning: true } }, [
    fragile,
    leaning,
  ]);
  await fleet.edit({ plugins: { auth: true, metrics: true, fragile: true, leaning: true } }, () =>
    logged(fleet.logs, /plugin fragile failed to start/),
  );
  t.ok(
    logged(fleet.logs, /plugin fragile failed to start: plugin fragile: migration 0001_fails failed: no space left/),
  );
  t.match(stateOf(fleet.kernel, 'fragile'), { state: 'off', reason: /failed to start/ });
  t.match(stateOf(fleet.kernel, 'leaning'), { state: 'off' }, 'a dependent of a plugin that failed is off');
  t.equal(dependentApi, 'never set up', 'the dependent never ran without its dependency');
  t.ok(
    logged(fleet.logs, /plugin leaning failed to start: depends on fragile, which is not running/),
    'the log says why',
  );
  t.same(
    (await fleet.get('/health', fleet.kernel.adminKey)).body.plugins,
    ['auth', 'metrics'],
    'the rest of the fleet runs on',
  );
});

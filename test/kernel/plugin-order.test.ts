import t from 'tap';
import * as v from 'valibot';
import { FleetError } from '../../core/errors.js';
import { planPlugins } from '../../core/kernel/plan.js';
import { type AnyPlugin, definePlugin } from '../../core/plugin.js';
import { operationsFor } from '../../core/index.js';
import { startFleet } from '../kit/index.js';

/** A plugin that records its lifecycle calls in `events` as `<hook>:<name>`. */
function recorder(name: string, dependsOn: string[], events: string[]): AnyPlugin {
  return definePlugin({
    name,
    dependsOn,
    setup: () => void events.push(`setup:${name}`),
    start: () => void events.push(`start:${name}`),
    stop: () => void events.push(`stop:${name}`),
  });
}

const bare = (name: string, dependsOn: string[] = []): AnyPlugin =>
  definePlugin({ name, dependsOn, setup: () => undefined });
const catalogOf = (...plugins: AnyPlugin[]) => new Map(plugins.map((p) => [p.name, p]));

t.test('start order follows dependsOn, not config order or names; stop is the reverse', async (t) => {
  // Alphabetical order (alpha, mid, zeta) is the opposite of the dependency order.
  const events: string[] = [];
  const plugins = [recorder('alpha', ['mid'], events), recorder('mid', ['zeta'], events), recorder('zeta', [], events)];
  const fleet = await startFleet(t, { plugins: { alpha: true, mid: true, zeta: true }, extraPlugins: plugins });
  const started = events.filter((e) => e.startsWith('start:'));
  t.same(started, ['start:zeta', 'start:mid', 'start:alpha']);
  // Each plugin is set up and started before the next one is set up.
  t.same(events, ['setup:zeta', 'start:zeta', 'setup:mid', 'start:mid', 'setup:alpha', 'start:alpha']);

  events.length = 0;
  await fleet.kernel.stop();
  t.same(events, ['stop:alpha', 'stop:mid', 'stop:zeta']);
  await fleet.kernel.stop();
  t.same(events, ['stop:alpha', 'stop:mid', 'stop:zeta'], 'a second stop stops nothing again');
});

t.test('planPlugins gives the same order whatever the config order', async (t) => {
  const catalog = catalogOf(bare('web', ['db', 'cache']), bare('db'), bare('cache', ['db']), bare('cron', ['web']));
  const configs = [
    { web: true, db: true, cache: true, cron: true },
    { cron: true, cache: true, db: true, web: true },
    { db: true, cron: true, web: true, cache: true },
  ];
  for (const config of configs) {
    t.same(planPlugins(catalog, config).order, ['db', 'cache', 'web', 'cron'], Object.keys(config).join(','));
  }
});

t.test('a missing dependency stops boot with a coded error naming both plugins', async (t) => {
  const catalog = catalogOf(bare('reports', ['ledger']));
  const error = t.throws(() => planPlugins(catalog, { reports: true })) as FleetError;
  t.equal(error.code, 'FLEET_ERR_PLUGIN_MISSING_DEPENDENCY');
  t.match(error.message, /reports/);
  t.match(error.message, /ledger/);
  t.same(error.details, { plugin: 'reports', dependency: 'ledger' });

  await t.rejects(
    startFleet(t, { plugins: { auth: true, reports: true }, extraPlugins: [bare('reports', ['ledger'])] }),
    {
      code: 'FLEET_ERR_PLUGIN_MISSING_DEPENDENCY',
      message: /reports.*ledger/,
    },
  );
});

t.test('a dependency cycle stops boot with a coded error naming the plugins', async (t) => {
  const catalog = catalogOf(bare('aa', ['bb']), bare('bb', ['cc']), bare('cc', ['aa']), bare('dd'));
  const error = t.throws(() => planPlugins(catalog, { dd: true, aa: true, bb: true, cc: true })) as FleetError;
  t.equal(error.code, 'FLEET_ERR_PLUGIN_CYCLE');
  t.match(error.message, /aa → bb → cc → aa/);
  t.same([...(error.details.plugins as string[])].sort(), ['aa', 'bb', 'cc']);

  const selfish = catalogOf(bare('loop', ['loop']));
  t.throws(() => planPlugins(selfish, { loop: true }), { code: 'FLEET_ERR_PLUGIN_CYCLE', message: /loop → loop/ });

  await t.rejects(
    startFleet(t, {
      plugins: { aa: true, bb: true, cc: true },
      extraPlugins: [bare('aa', ['bb']), bare('bb', ['cc']), bare('cc', ['aa'])],
    }),
    {
      code: 'FLEET_ERR_PLUGIN_CYCLE',
    },
  );
});

t.test('a cycle among plugins that are switched off is still a cycle', async (t) => {
  // Only aa is on; it reaches the cycle bb ⇄ cc through its dependencies.
  const catalog = catalogOf(bare('aa', ['bb']), bare('bb', ['cc']), bare('cc', ['bb']));
  t.throws(() => planPlugins(catalog, { aa: true, bb: false }), { code: 'FLEET_ERR_PLUGIN_CYCLE' });
});

t.test('an unknown plugin in the config is a coded error naming it', async (t) => {
  const error = t.throws(() => planPlugins(catalogOf(bare('real')), { real: true, nosuch: true })) as FleetError;
  t.equal(error.code, 'FLEET_ERR_PLUGIN_UNKNOWN');
  t.match(error.message, /plugins\.nosuch/);
  t.match(error.message, /available: real/);
  await t.rejects(startFleet(t, { plugins: { auth: true, nosuch: true } }), {
    code: 'FLEET_ERR_PLUGIN_UNKNOWN',
    message: /nosuch/,
  });
  // Off is no excuse: a typo in a plugin name is still reported.
  t.throws(() => planPlugins(catalogOf(bare('real')), { nosuch: false }), { code: 'FLEET_ERR_PLUGIN_UNKNOWN' });
});

t.test('a dependency turned off turns its dependents off, saying why', async (t) => {
  const events: string[] = [];
  const plugins = [
    recorder('base', [], events),
    recorder('middle', ['base'], events),
    recorder('top', ['middle'], events),
    recorder('solo', [], events),
  ];
  const fleet = await startFleet(t, {
    plugins: { auth: true, base: false, middle: true, top: true, solo: true },
    extraPlugins: plugins,
  });
  const states = Object.fromEntries(fleet.kernel.pluginStates().map((s) => [s.name, s]));
  t.same(states.base, { name: 'base', state: 'off', reason: 'turned off in the config' });
  t.same(states.middle, { name: 'middle', state: 'off', reason: 'depends on base, which is off' });
  t.same(states.top, { name: 'top', state: 'off', reason: 'depends on middle, which is off' });
  t.same(states.solo, { name: 'solo', state: 'on' });
  t.same(states.auth, { name: 'auth', state: 'on' });
  t.same(states.metrics, { name: 'metrics', state: 'off', reason: 'not in the config' });
  t.same(events, ['setup:solo', 'start:solo'], 'only solo ran');
  t.ok(
    fleet.logs.some((line) => /plugin middle off: depends on base, which is off/.test(line)),
    'the log says why middle is off',
  );

  const health = await fleet.request('GET', '/health', { token: fleet.adminKey });
  t.same(health.body.plugins, ['auth', 'solo']);
});

t.test('a dependency that is not in the config at all also turns dependents off', async (t) => {
  const plan = planPlugins(catalogOf(bare('base'), bare('user', ['base'])), { user: true });
  t.same(plan.order, []);
  t.same(plan.states, [
    { name: 'base', state: 'off', reason: 'not in the config' },
    { name: 'user', state: 'off', reason: 'depends on base, which is off' },
  ]);
});

t.test('ctx.use returns a dependency api and refuses anything else', async (t) => {
  let fromDependency: unknown;
  let refused: unknown;
  const provider = definePlugin({ name: 'provider', setup: () => ({ answer: 42 }) });
  const bystander = definePlugin({ name: 'bystander', setup: () => ({ secret: true }) });
  const consumer = definePlugin({
    name: 'consumer',
    dependsOn: ['provider'],
    setup(ctx) {
      fromDependency = ctx.use('provider');
      try {
        ctx.use('bystander');
      } catch (error) {
        refused = error;
      }
    },
  });
  await startFleet(t, {
    plugins: { provider: true, bystander: true, consumer: true },
    extraPlugins: [provider, bystander, consumer],
  });
  t.same(fromDependency, { answer: 42 });
  t.type(refused, FleetError);
  t.equal((refused as FleetError).code, 'FLEET_ERR_PLUGIN_NOT_DEPENDENCY');
  t.match((refused as FleetError).message, /consumer uses bystander/);
});

t.test('a plugin whose setup uses a non-dependency fails boot with that code', async (t) => {
  const stopped: string[] = [];
  const early = definePlugin({ name: 'early', setup: () => undefined, stop: () => void stopped.push('early') });
  const greedy = definePlugin({ name: 'greedy', dependsOn: ['early'], setup: (ctx) => void ctx.use('auth') });
  await t.rejects(
    startFleet(t, { plugins: { auth: true, early: true, greedy: true }, extraPlugins: [early, greedy] }),
    {
      code: 'FLEET_ERR_PLUGIN_NOT_DEPENDENCY',
      message: /greedy uses auth/,
    },
  );
  t.same(stopped, ['early'], 'plugins already started are stopped when boot fails');
});

t.test('plugin options are validated by the plugin schema', async (t) => {
  let seen: unknown;
  const tuned = definePlugin({
    name: 'tuned',
    config: v.object({
      interval: v.optional(v.pipe(v.number('must be a number'), v.minValue(1, 'must be at least 1')), 30),
      label: v.optional(v.string(), 'x'),
    }),
    setup: (ctx) => void (seen = ctx.options),
  });
  const catalog = catalogOf(tuned);

  t.same(
    planPlugins(catalog, { tuned: true }).options.get('tuned'),
    { interval: 30, label: 'x' },
    'true means the defaults',
  );
  t.same(planPlugins(catalog, { tuned: { interval: 5 } }).options.get('tuned'), { interval: 5, label: 'x' });

  const error = t.throws(() => planPlugins(catalog, { tuned: { interval: 'often' } })) as FleetError;
  t.equal(error.code, 'FLEET_ERR_CONFIG_INVALID');
  t.match(error.message, /plugins\.tuned\.interval: must be a number/);
  t.throws(() => planPlugins(catalog, { tuned: { interval: 0 } }), {
    code: 'FLEET_ERR_CONFIG_INVALID',
    message: /plugins\.tuned\.interval: must be at least 1/,
  });
  // A plugin that is off is not validated: turning it off must always be possible.
  t.doesNotThrow(() => planPlugins(catalog, { tuned: false }));

  await t.rejects(startFleet(t, { plugins: { tuned: { interval: -1 } }, extraPlugins: [tuned] }), {
    code: 'FLEET_ERR_CONFIG_INVALID',
    message: /plugins\.tuned\.interval/,
  });
  await startFleet(t, { plugins: { tuned: { interval: 7 } }, extraPlugins: [tuned] });
  t.same(seen, { interval: 7, label: 'x' }, 'the plugin receives its validated options');
});

t.test("a plugin's own environment variables set its options, checked by its schema, named when bad", async (t) => {
  const sized = definePlugin({
    name: 'sized',
    config: v.object({
      max: v.optional(v.pipe(v.number('must be a number'), v.integer(), v.minValue(1, 'must be at least 1')), 5),
      label: v.optional(v.string(), 'x'),
    }),
    env: { SIZED_MAX: 'max', SIZED_LABEL: 'label' },
    setup: () => undefined,
  });
  const catalog = new Map([['sized', sized as AnyPlugin]]);
  t.same(
    planPlugins(catalog, { sized: true }, {}).options.get('sized'),
    { max: 5, label: 'x' },
    'defaults without the variables',
  );
  t.same(
    planPlugins(catalog, { sized: { max: 2 } }, { SIZED_MAX: '9', SIZED_LABEL: 'big' }).options.get('sized'),
    { max: 9, label: 'big' },
    'the environment wins over the file',
  );
  const bad = t.throws(() => planPlugins(catalog, { sized: true }, { SIZED_MAX: '0' })) as FleetError;
  t.equal(bad.code, 'FLEET_ERR_CONFIG_INVALID');
  t.match(bad.message, /^environment: SIZED_MAX: must be at least 1/);
  const text = t.throws(() => planPlugins(catalog, { sized: true }, { SIZED_MAX: 'many' })) as FleetError;
  t.match(text.message, /^environment: SIZED_MAX: must be a number/);
  t.same(
    planPlugins(catalog, { sized: false }, { SIZED_MAX: 'many' }).order,
    [],
    'a plugin that is off ignores its variables',
  );
});

t.test('a plugin without a schema takes no options', async (t) => {
  const catalog = catalogOf(bare('plain'));
  t.same(planPlugins(catalog, { plain: true }).options.get('plain'), {});
  t.same(planPlugins(catalog, { plain: {} }).options.get('plain'), {});
  t.throws(() => planPlugins(catalog, { plain: { speed: 3 } }), {
    code: 'FLEET_ERR_CONFIG_INVALID',
    message: /plugins\.plain: takes no options/,
  });
});

t.test('a plugin whose setup throws fails boot with a coded error naming it', async (t) => {
  const stopped: string[] = [];
  const fine = definePlugin({ name: 'fine', setup: () => undefined, stop: () => void stopped.push('fine') });
  const faulty = definePlugin({
    name: 'faulty',
    dependsOn: ['fine'],
    setup: () => {
      throw new Error('bad wiring');
    },
    stop: () => void stopped.push('faulty'),
  });
  await t.rejects(startFleet(t, { plugins: { fine: true, faulty: true }, extraPlugins: [fine, faulty] }), {
    code: 'FLEET_ERR_PLUGIN_SETUP',
    message: 'plugin faulty failed to start: bad wiring',
    details: { plugin: 'faulty' },
  });
  t.same(stopped, ['faulty', 'fine'], 'the failed plugin and those before it were stopped');
});

t.test('two plugins serving one route fail boot naming both', async (t) => {
  const route = (name: string, path: string) =>
    definePlugin({
      name,
      operations: [
        operationsFor<void>()({
          name: 'x',
          summary: 'x',
          access: 'public',
          input: v.object({}),
          http: { method: 'GET', path },
          run: () => ({}),
        }),
      ],
      setup: () => undefined,
    });
  await t.rejects(
    startFleet(t, {
      plugins: { first: true, second: true },
      extraPlugins: [route('first', '/same'), route('second', '/same')],
    }),
    {
      code: 'FLEET_ERR_DUPLICATE_ROUTE',
      message: 'GET /same of plugin second is already served by first',
    },
  );
  await t.rejects(startFleet(t, { plugins: { sneaky: true }, extraPlugins: [route('sneaky', '/health')] }), {
    code: 'FLEET_ERR_DUPLICATE_ROUTE',
    message: /already served by kernel/,
  });
});

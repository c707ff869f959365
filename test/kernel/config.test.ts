import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { DEFAULT_PORT, loadConfig, resolveConfig } from '../../core/config/load-config.js';
import type { FleetError } from '../../core/errors.js';
import { type TestLike, tempDir } from '../kit/index.js';

const CORE_INDEX = join(import.meta.dirname, '../../core/index.ts');

/** A temp project dir holding a config file that default-exports `config`. */
function project(t: TestLike, config: unknown, name = 'fleet.config.ts'): { dir: string; file: string } {
  const dir = tempDir(t);
  const file = join(dir, name);
  writeFileSync(file, `export default ${JSON.stringify(config)};\n`);
  return { dir, file };
}

/** What `promise` rejects with (undefined when it resolves). */
async function failure(promise: Promise<unknown>): Promise<FleetError | undefined> {
  return promise.then(
    () => undefined,
    (error: FleetError) => error,
  );
}

t.test('defaults: 127.0.0.1:3847, data in ./.fleet, SQLite at <dataDir>/fleet.db', async (t) => {
  const dir = tempDir(t);
  const config = await loadConfig({ cwd: dir, env: {} });
  t.equal(config.configPath, undefined, 'no file is fine when none was asked for');
  t.equal(config.server.host, '127.0.0.1');
  t.equal(config.server.port, 3847);
  t.equal(DEFAULT_PORT, 3847);
  t.equal(config.dataDir, join(dir, '.fleet'));
  t.same(config.storage, { driver: 'sqlite', path: join(dir, '.fleet', 'fleet.db') });
  t.same(config.server.rateLimit, { windowMs: 60_000, max: 100, teamMax: 1000, authFailuresMax: 20 });
  t.equal(config.server.publicUrl, undefined);
  t.equal(config.auth.jwtExpiresIn, '24h');
  t.equal(config.auth.jwtSecret, undefined);
  t.equal(config.auth.adminKey, undefined);
  t.equal(config.log.level, 'info');
  t.same(config.plugins, {});
});

t.test('the data dir defaults to .fleet beside the config file, not the current directory', async (t) => {
  const { dir, file } = project(t, { plugins: { auth: true } });
  const elsewhere = tempDir(t);
  const config = await loadConfig({ path: file, cwd: elsewhere, env: {} });
  t.equal(config.configPath, file);
  t.equal(config.dataDir, join(dir, '.fleet'));
  t.same(config.storage, { driver: 'sqlite', path: join(dir, '.fleet', 'fleet.db') });
  t.same(config.plugins, { auth: true });
});

t.test('relative paths in the file are relative to the file', async (t) => {
  const { dir, file } = project(t, { dataDir: 'state', storage: { driver: 'sqlite', path: 'db/main.db' } });
  const config = await loadConfig({ path: file, cwd: tempDir(t), env: {} });
  t.equal(config.dataDir, join(dir, 'state'));
  t.same(config.storage, { driver: 'sqlite', path: join(dir, 'db', 'main.db') });
});

t.test('./fleet.config.ts in the current directory is found without being named', async (t) => {
  const { dir, file } = project(t, { server: { port: 4100 } });
  const config = await loadConfig({ cwd: dir, env: {} });
  t.equal(config.configPath, file);
  t.equal(config.server.port, 4100);
});

t.test('a config file may import defineConfig', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'fleet.config.ts');
  writeFileSync(
    file,
    `import { defineConfig } from ${JSON.stringify(CORE_INDEX)};\n` +
      'export default defineConfig({ server: { port: 4200 }, plugins: { metrics: false } });\n',
  );
  const config = await loadConfig({ path: file, env: {} });
  t.equal(config.server.port, 4200);
  t.same(config.plugins, { metrics: false });
});

t.test('every environment variable wins over the file', async (t) => {
  const { dir, file } = project(t, {
    server: {
      host: 'localhost',
      port: 4000,
      publicUrl: 'http://file.example:4000',
      rateLimit: { windowMs: 5000, max: 50 },
    },
    dataDir: 'from-file',
    auth: { jwtExpiresIn: '1h' },
    log: { level: 'warn' },
  });
  const cwd = tempDir(t);
  const base = await loadConfig({ path: file, cwd, env: {} });
  t.equal(base.server.port, 4000, 'the file applies without the environment');

  const cases: [string, Record<string, string>, (c: typeof base) => unknown, unknown][] = [
    ['PORT', { PORT: '4001' }, (c) => c.server.port, 4001],
    ['HOST', { HOST: '0.0.0.0' }, (c) => c.server.host, '0.0.0.0'],
    ['DB_PATH', { DB_PATH: 'other/x.db' }, (c) => c.storage, { driver: 'sqlite', path: join(cwd, 'other', 'x.db') }],
    ['JWT_EXPIRES_IN', { JWT_EXPIRES_IN: '2h' }, (c) => c.auth.jwtExpiresIn, '2h'],
    ['LOG_LEVEL', { LOG_LEVEL: 'DEBUG' }, (c) => c.log.level, 'debug'],
    [
      'CLAUDE_FLEET_URL',
      { CLAUDE_FLEET_URL: 'http://fleet.example:9000' },
      (c) => c.server.publicUrl,
      'http://fleet.example:9000',
    ],
    [
      'RATE_LIMIT_WINDOW',
      { RATE_LIMIT_WINDOW: '1000' },
      (c) => c.server.rateLimit,
      { windowMs: 1000, max: 50, teamMax: 500, authFailuresMax: 20 },
    ],
    [
      'RATE_LIMIT_MAX',
      { RATE_LIMIT_MAX: '7' },
      (c) => c.server.rateLimit,
      { windowMs: 5000, max: 7, teamMax: 70, authFailuresMax: 20 },
    ],
    [
      'FLEET_DATA_DIR',
      { FLEET_DATA_DIR: 'data' },
      (c) => [c.dataDir, c.storage],
      [join(cwd, 'data'), { driver: 'sqlite', path: join(cwd, 'data', 'fleet.db') }],
    ],
    ['FLEET_ADMIN_KEY', { FLEET_ADMIN_KEY: 'k'.repeat(32) }, (c) => c.auth.adminKey, 'k'.repeat(32)],
    ['JWT_SECRET', { JWT_SECRET: 's'.repeat(32) }, (c) => c.auth.jwtSecret, 's'.repeat(32)],
  ];
  for (const [name, env, pick, expected] of cases) {
    const config = await loadConfig({ path: file, cwd, env });
    t.same(pick(config), expected, name);
  }
  t.equal(base.dataDir, join(dir, 'from-file'));
  t.equal(base.auth.adminKey, undefined, 'secrets come only from the environment');
});

t.test('FLEET_CONFIG names another config file; an explicit path wins over it', async (t) => {
  const one = project(t, { server: { port: 4301 } });
  const two = project(t, { server: { port: 4302 } }, 'other.config.ts');
  const byEnv = await loadConfig({ cwd: one.dir, env: { FLEET_CONFIG: two.file } });
  t.equal(byEnv.configPath, two.file);
  t.equal(byEnv.server.port, 4302);
  const explicit = await loadConfig({ path: one.file, env: { FLEET_CONFIG: two.file } });
  t.equal(explicit.server.port, 4301);
  t.match(await failure(loadConfig({ cwd: one.dir, env: { FLEET_CONFIG: 'nope.config.ts' } })), {
    code: 'FLEET_ERR_CONFIG_LOAD',
    message: /nope\.config\.ts: no such config file/,
  });
});

t.test('test overrides win over the environment', async (t) => {
  const config = resolveConfig({}, { env: { PORT: '4001' }, cwd: tempDir(t), overrides: { server: { port: 0 } } });
  t.equal(config.server.port, 0);
});

t.test('invalid values in the file name the key', async (t) => {
  const cases: [unknown, RegExp][] = [
    [{ server: { port: 70000 } }, /server\.port: must be 0–65535/],
    [{ server: { port: 'x' } }, /server\.port: must be a number/],
    [{ server: { host: '' } }, /server\.host: must not be empty/],
    [{ server: { rateLimit: { max: 0 } } }, /server\.rateLimit\.max: must be at least 1/],
    [{ log: { level: 'loud' } }, /log\.level: must be one of debug, info, warn, error, silent/],
    [{ auth: { jwtExpiresIn: 'forever' } }, /auth\.jwtExpiresIn: must be a duration/],
    [
      { storage: { driver: 'mysql' } },
      /storage.*must be \{ driver: "sqlite", path\? \} or \{ driver: "postgres", url \}/,
    ],
    [{ storage: { driver: 'postgres', url: 'mysql://x' } }, /storage\.url: must be a postgres:\/\/ URL/],
    [{ plugins: { metrics: 'yes' } }, /plugins\.metrics: must be true, false or an options object/],
    [{ plugins: { Metrics: true } }, /plugin names are lower-case words/],
  ];
  for (const [raw, pattern] of cases) {
    const error = t.throws(() => resolveConfig(raw, { env: {}, configPath: '/x/fleet.config.ts' })) as FleetError;
    t.equal(error.code, 'FLEET_ERR_CONFIG_INVALID', JSON.stringify(raw));
    t.match(error.message, pattern, error.message);
  }
});

t.test('an unknown key is named, at the top and nested', async (t) => {
  t.throws(() => resolveConfig({ sever: { port: 1 } }, { env: {} }), {
    code: 'FLEET_ERR_CONFIG_INVALID',
    message: /sever: is not a known key/,
  });
  t.throws(() => resolveConfig({ server: { prot: 1 } }, { env: {} }), {
    code: 'FLEET_ERR_CONFIG_INVALID',
    message: /server\.prot: is not a known key/,
  });
});

t.test('every problem is reported at once, with the file it came from', async (t) => {
  const { file } = project(t, { server: { port: -1 }, log: { level: 'x' } });
  const error = await failure(loadConfig({ path: file, env: {} }));
  t.equal(error?.code, 'FLEET_ERR_CONFIG_INVALID');
  const message = error?.message ?? '';
  t.match(message, file);
  t.match(message, /server\.port/);
  t.match(message, /log\.level/);
});

t.test('invalid environment values name the variable', async (t) => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ PORT: 'abc' }, /PORT: must be an integer from 0 to 65535 \(got "abc"\)/],
    [{ PORT: '70000' }, /PORT: must be an integer from 0 to 65535/],
    [{ RATE_LIMIT_WINDOW: '0' }, /RATE_LIMIT_WINDOW: must be an integer/],
    [{ RATE_LIMIT_MAX: '-5' }, /RATE_LIMIT_MAX: must be an integer/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL: must be one of/],
    [{ JWT_EXPIRES_IN: 'forever' }, /JWT_EXPIRES_IN: must be a duration/],
    [{ CLAUDE_FLEET_URL: 'ftp://fleet' }, /CLAUDE_FLEET_URL: must be an http\(s\) URL/],
    [{ JWT_SECRET: 'short' }, /JWT_SECRET: must be at least 16 characters/],
    [{ FLEET_ADMIN_KEY: 'short' }, /FLEET_ADMIN_KEY: must be at least 16 characters/],
  ];
  for (const [env, pattern] of cases) {
    const error = t.throws(() => resolveConfig({}, { env })) as FleetError;
    t.equal(error.code, 'FLEET_ERR_CONFIG_INVALID', Object.keys(env).join());
    t.match(error.message, pattern, error.message);
  }
  const leaked = t.throws(() => resolveConfig({}, { env: { JWT_SECRET: 'hunter2-secret' } })) as FleetError;
  t.notMatch(leaked.message, 'hunter2', 'a bad secret is not echoed');
  const both = t.throws(() => resolveConfig({}, { env: { PORT: 'x', RATE_LIMIT_MAX: 'y' } })) as FleetError;
  t.match(both.message, /PORT.*RATE_LIMIT_MAX/, 'all bad variables are named');
  t.doesNotThrow(() => resolveConfig({}, { env: { PORT: '', HOST: '' } }), 'empty variables are ignored');
});

t.test('keys a plugin took over are named with where they moved', async (t) => {
  const tmux = t.throws(() => resolveConfig({ tmux: { socket: 'x' } }, { env: {} })) as FleetError;
  t.match(tmux.message, /tmux: is not a known key: it moved to plugins\.workers\.tmux/);
  const workers = t.throws(() => resolveConfig({ workers: { max: 2 } }, { env: {} })) as FleetError;
  t.match(workers.message, /workers: is not a known key: it moved to plugins\.workers/);
});

t.test('the config file itself: missing, unparsable, no default export', async (t) => {
  const dir = tempDir(t);
  t.match(await failure(loadConfig({ path: join(dir, 'absent.ts'), env: {} })), {
    code: 'FLEET_ERR_CONFIG_LOAD',
    message: /absent\.ts: no such config file/,
  });

  const broken = join(dir, 'broken.config.ts');
  writeFileSync(broken, 'export default { server: { port: 1,, };\n');
  t.match(await failure(loadConfig({ path: broken, env: {} })), {
    code: 'FLEET_ERR_CONFIG_LOAD',
    message: /broken\.config\.ts: cannot be loaded/,
  });

  const noDefault = join(dir, 'named.config.ts');
  writeFileSync(noDefault, 'export const config = {};\n');
  t.match(await failure(loadConfig({ path: noDefault, env: {} })), {
    code: 'FLEET_ERR_CONFIG_INVALID',
    message: /has no default export/,
  });

  const extraExport = join(dir, 'extra.config.ts');
  writeFileSync(extraExport, 'export const port = 4500;\nexport default { server: { port } };\n');
  t.equal(
    (await loadConfig({ path: extraExport, env: {} })).server.port,
    4500,
    'a named export beside the default is fine',
  );

  mkdirSync(join(dir, 'sub'));
  const notObject = join(dir, 'sub', 'fleet.config.ts');
  writeFileSync(notObject, 'export default 42;\n');
  t.match(await failure(loadConfig({ path: notObject, env: {} })), {
    code: 'FLEET_ERR_CONFIG_INVALID',
    message: /must be an object/,
  });
});

t.test('an edited file is read afresh on each load', async (t) => {
  const { file } = project(t, { server: { port: 4401 } });
  t.equal((await loadConfig({ path: file, env: {} })).server.port, 4401);
  writeFileSync(file, `export default ${JSON.stringify({ server: { port: 4402 } })};\n`);
  t.equal((await loadConfig({ path: file, env: {} })).server.port, 4402);
});

import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Kysely, Migration } from 'kysely';
import t from 'tap';
import { resolveConfig } from '../../core/config/load-config.js';
import { migrationTableName } from '../../core/db/plugin-migrator.js';
import { Kernel } from '../../core/kernel/kernel.js';
import { createLogger } from '../../core/log.js';
import { type AnyPlugin, definePlugin } from '../../core/plugin.js';
import { defineTables } from '../../core/index.js';

/** A plugin's table list: these tests create plain tables, whatever their columns. */
const tableSet = (...names: string[]) =>
  defineTables<Record<string, never>>(Object.fromEntries(names.map((name) => [name, name])));
import { type TestLike, tempDir } from '../kit/index.js';

/** Boot a fleet on a given data dir (so a second boot sees the first one's database). */
async function boot(
  t: TestLike,
  dataDir: string,
  plugins: Record<string, boolean>,
  extra: AnyPlugin[],
  logs: string[] = [],
): Promise<Kernel> {
  const config = resolveConfig({ dataDir, server: { port: 0 }, plugins }, { env: {}, cwd: dataDir });
  const kernel = await Kernel.boot({
    config,
    plugins: extra,
    log: createLogger({ level: 'debug', sink: (line) => logs.push(line) }),
  });
  t.teardown(() => kernel.stop());
  return kernel;
}

/** A migration creating one table, counting how often it runs. */
function createTable(table: string, runs: Map<string, number>): Migration {
  return {
    async up(db: Kysely<any>) {
      runs.set(table, (runs.get(table) ?? 0) + 1);
      await db.schema
        .createTable(table)
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .execute();
    },
  };
}

/** Read the database file directly, after the fleet has stopped: its tables and each plugin's applied migrations. */
function inspect(dataDir: string) {
  const db = new Database(join(dataDir, 'fleet.db'), { readonly: true });
  try {
    const tables = (
      db.prepare(`select name from sqlite_master where type = 'table' order by name`).all() as { name: string }[]
    ).map((r) => r.name);
    const migrations = new Map<string, string[]>();
    for (const table of tables.filter((name) => name.startsWith('fleet_migrations_') && !name.endsWith('_lock'))) {
      migrations.set(
        table,
        (db.prepare(`select name from ${table} order by name`).all() as { name: string }[]).map((r) => r.name),
      );
    }
    return { tables, applied: (plugin: string) => migrations.get(migrationTableName(plugin)) };
  } finally {
    db.close();
  }
}

t.test('each plugin migrates once, tracked in its own table; a second boot applies nothing', async (t) => {
  const dataDir = tempDir(t);
  const runs = new Map<string, number>();
  const books = definePlugin({
    name: 'books',
    tables: tableSet('books', 'loans'),
    migrations: { '0001_books': createTable('books', runs), '0002_loans': createTable('loans', runs) },
    setup: () => undefined,
  });
  const shelf = definePlugin({
    name: 'shelf',
    dependsOn: ['books'],
    tables: tableSet('shelves'),
    migrations: { '0001_shelves': createTable('shelves', runs) },
    setup: () => undefined,
  });

  const firstLogs: string[] = [];
  const first = await boot(t, dataDir, { books: true, shelf: true }, [books, shelf], firstLogs);
  // While running, the tracking tables are visible through the kernel's own connection too.
  const live = await first.db.selectFrom(migrationTableName('books')).select('name').orderBy('name').execute();
  t.same(
    live.map((r) => r.name),
    ['0001_books', '0002_loans'],
  );
  t.ok(
    firstLogs.some((line) => /plugin books on/.test(line) && /0001_books/.test(line) && /0002_loans/.test(line)),
    'the log names the migrations applied',
  );
  await first.stop();

  const after = inspect(dataDir);
  t.same(after.applied('books'), ['0001_books', '0002_loans']);
  t.same(after.applied('shelf'), ['0001_shelves']);
  t.ok(after.tables.includes('books') && after.tables.includes('loans') && after.tables.includes('shelves'));
  t.same(Object.fromEntries(runs), { books: 1, loans: 1, shelves: 1 });

  const secondLogs: string[] = [];
  const second = await boot(t, dataDir, { books: true, shelf: true }, [books, shelf], secondLogs);
  await second.stop();
  t.same(Object.fromEntries(runs), { books: 1, loans: 1, shelves: 1 }, 'nothing ran again');
  t.notOk(
    secondLogs.some((line) => /migrations=/.test(line)),
    'the second boot reports no migrations',
  );
  t.same(inspect(dataDir).applied('books'), ['0001_books', '0002_loans']);
});

t.test('the built-in auth plugin migrates into fleet_migrations_auth', async (t) => {
  const dataDir = tempDir(t);
  const kernel = await boot(t, dataDir, { auth: true }, []);
  await kernel.stop();
  const { tables, applied } = inspect(dataDir);
  t.ok(tables.includes('agents'));
  t.same(applied('auth'), ['0001_agents', '0002_token_versions']);
});

t.test('a plugin added later migrates alone', async (t) => {
  const dataDir = tempDir(t);
  const runs = new Map<string, number>();
  const early = definePlugin({
    name: 'early',
    tables: tableSet('early_rows'),
    migrations: { '0001_early': createTable('early_rows', runs) },
    setup: () => undefined,
  });
  const late = definePlugin({
    name: 'late-comer',
    tables: tableSet('late_rows'),
    migrations: { '0001_late': createTable('late_rows', runs) },
    setup: () => undefined,
  });

  await (await boot(t, dataDir, { early: true, 'late-comer': false }, [early, late])).stop();
  t.same(inspect(dataDir).applied('late-comer'), undefined, 'a plugin that is off is not migrated');

  const logs: string[] = [];
  await (await boot(t, dataDir, { early: true, 'late-comer': true }, [early, late], logs)).stop();
  t.same(Object.fromEntries(runs), { early_rows: 1, late_rows: 1 });
  const { applied, tables } = inspect(dataDir);
  t.same(applied('early'), ['0001_early']);
  t.same(applied('late-comer'), ['0001_late']);
  t.ok(tables.includes('fleet_migrations_late_comer'), 'a dash in the name becomes an underscore in the table name');
  t.ok(logs.some((line) => /plugin late-comer on/.test(line) && /0001_late/.test(line)));
  t.notOk(logs.some((line) => /plugin early on/.test(line) && /migrations=/.test(line)));
});

t.test('a new migration of an existing plugin applies on the next boot', async (t) => {
  const dataDir = tempDir(t);
  const runs = new Map<string, number>();
  const v1 = definePlugin({
    name: 'grow',
    tables: tableSet('grow_a'),
    migrations: { '0001_a': createTable('grow_a', runs) },
    setup: () => undefined,
  });
  const v2 = definePlugin({
    name: 'grow',
    tables: tableSet('grow_a', 'grow_b'),
    migrations: { '0001_a': createTable('grow_a', runs), '0002_b': createTable('grow_b', runs) },
    setup: () => undefined,
  });
  await (await boot(t, dataDir, { grow: true }, [v1])).stop();
  await (await boot(t, dataDir, { grow: true }, [v2])).stop();
  t.same(Object.fromEntries(runs), { grow_a: 1, grow_b: 1 });
  t.same(inspect(dataDir).applied('grow'), ['0001_a', '0002_b']);
});

t.test('a failing migration fails boot cleanly with a coded error naming plugin and migration', async (t) => {
  const dataDir = tempDir(t);
  const runs = new Map<string, number>();
  const stopped: string[] = [];
  const first = definePlugin({
    name: 'first',
    tables: tableSet('first_rows'),
    migrations: { '0001_first': createTable('first_rows', runs) },
    setup: () => undefined,
    stop: () => void stopped.push('first'),
  });
  let setupRan = false;
  const broken = (fixed: boolean) =>
    definePlugin({
      name: 'broken',
      dependsOn: ['first'],
      tables: tableSet('fine_rows', 'half_done'),
      migrations: {
        '0001_fine': createTable('fine_rows', runs),
        '0002_bad': {
          async up(db: Kysely<any>) {
            await db.schema.createTable('half_done').addColumn('id', 'integer').execute();
            if (!fixed) throw new Error('disk on fire');
          },
        },
      },
      setup: () => void (setupRan = true),
    });

  const logs: string[] = [];
  const config = resolveConfig(
    { dataDir, server: { port: 0 }, plugins: { first: true, broken: true } },
    { env: {}, cwd: dataDir },
  );
  const error = await Kernel.boot({
    config,
    plugins: [first, broken(false)],
    log: createLogger({ level: 'debug', sink: (line) => logs.push(line) }),
  }).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.match(error, { code: 'FLEET_ERR_MIGRATION', details: { plugin: 'broken', migration: '0002_bad' } });
  t.match((error as Error).message, /plugin broken: migration 0002_bad failed: disk on fire/);
  t.notOk(setupRan, 'the plugin was not set up on a half-migrated schema');
  t.same(stopped, ['first'], 'the plugin already started was stopped');
  t.ok(
    logs.some((line) => /\] stopped/.test(line)),
    'the kernel stopped (server closed, database closed)',
  );

  const { tables, applied } = inspect(dataDir);
  t.same(applied('broken'), ['0001_fine'], 'the migrations before the failure stay applied');
  t.notOk(tables.includes('half_done'), 'the failed migration left nothing behind');

  // Fixed, the next boot on the same data dir applies only what had failed.
  await (await boot(t, dataDir, { first: true, broken: true }, [first, broken(true)])).stop();
  t.ok(setupRan);
  t.same(inspect(dataDir).applied('broken'), ['0001_fine', '0002_bad']);
  t.equal(runs.get('fine_rows'), 1);
});

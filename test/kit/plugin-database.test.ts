/**
 * migratedDatabase and testLogger, on whichever engine the run uses: migrations applied in order, a second
 * pool that sees the first one's rows, and nothing left after the test (the SQLite dir, the PostgreSQL
 * database); the logger quiet by default, everything with a sink, its level respected.
 */
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { type Migration, sql } from 'kysely';
import t from 'tap';
import { migratedDatabase, testLogger, testStorage, withPgClient } from './index.js';

const table = (name: string): Migration => ({
  up: async (db) => {
    await db.schema
      .createTable(name)
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .execute();
  },
});
const copied: Migration = {
  // Needs `first`: proves the migrations ran in the order given.
  up: async (db) => void (await sql`insert into second (id) select id from first`.execute(db)),
};
const seed: Migration = { up: async (db) => void (await db.insertInto('first').values({ id: 7 }).execute()) };

t.test('migratedDatabase: migrated in order, openAgain shares it, all gone after the test', async (t) => {
  let place: Awaited<ReturnType<typeof migratedDatabase>>['place'] | undefined;
  await t.test('inside', async (t) => {
    const opened = await migratedDatabase(t, [table('first'), seed, table('second'), copied]);
    place = opened.place;
    t.equal(opened.dialect, testStorage());
    t.equal(opened.place.dialect, opened.dialect);
    t.same(await opened.db.selectFrom('second').select('id').execute(), [{ id: 7 }]);
    const again = await opened.openAgain();
    t.not(again, opened.db, 'another pool');
    await again.insertInto('first').values({ id: 8 }).execute();
    t.same(await opened.db.selectFrom('first').select('id').orderBy('id').execute(), [{ id: 7 }, { id: 8 }]);
  });
  if (place === undefined) return t.fail('no database');
  if (place.dialect === 'sqlite') {
    t.notOk(existsSync(dirname(place.file)), 'the temp dir is removed');
  } else {
    const name = new URL(place.url).pathname.slice(1);
    const found = await withPgClient(process.env.FLEET_TEST_PG_URL!, (client) =>
      client.query('select 1 from pg_database where datname = $1', [name]),
    );
    t.equal(found.rowCount, 0, 'the database is dropped');
  }
});

t.test('testLogger: silent without a sink; with one, debug and up unless a level is given', async (t) => {
  const written: unknown[] = [];
  const write = process.stderr.write;
  process.stderr.write = (chunk: unknown) => written.push(chunk) > 0;
  try {
    testLogger().error('goes nowhere');
  } finally {
    process.stderr.write = write;
  }
  t.same(written, [], 'nothing on stderr');
  const all: string[] = [];
  const everything = testLogger({ sink: (line) => all.push(line) });
  everything.debug('low', { n: 1 });
  everything.error('high');
  t.match(all, [/ debug \[fleet\] low n=1$/, / error \[fleet\] high$/]);
  const warned: string[] = [];
  const warnings = testLogger({ level: 'warn', sink: (line) => warned.push(line) });
  warnings.info('dropped');
  warnings.warn('kept');
  t.match(warned, [/ warn {2}\[fleet\] kept$/]);
  t.equal(warned.length, 1);
});

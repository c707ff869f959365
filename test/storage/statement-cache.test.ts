import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import t from 'tap';
import { cachedStatements } from '../../core/db/statement-cache.js';
import { type TestLike, tempDir } from '../kit/index.js';

function openCounted(t: TestLike, size?: number) {
  const database = new Database(join(tempDir(t), 'cache.db'));
  let compiled = 0;
  const prepare = database.prepare.bind(database);
  // Count real compilations on the real database: the cache's whole point is to make fewer.
  database.prepare = (text: string) => {
    compiled++;
    return prepare(text);
  };
  const cached = cachedStatements(database, size);
  return { database, cached, compiled: () => compiled };
}

t.test('one SQL text is compiled once and its statement reused', async (t) => {
  const { cached, compiled } = openCounted(t);
  const db = new Kysely<{ items: { id: number; name: string } }>({ dialect: new SqliteDialect({ database: cached }) });
  t.teardown(() => db.destroy());
  await db.schema
    .createTable('items')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('name', 'text')
    .execute();
  const before = compiled();
  for (let i = 0; i < 50; i++)
    await db
      .insertInto('items')
      .values({ id: i, name: `n${i}` })
      .execute();
  for (let i = 0; i < 50; i++) {
    const row = await db.selectFrom('items').selectAll().where('id', '=', i).executeTakeFirstOrThrow();
    t.equal(row.name, `n${i}`, 'each run binds its own values');
  }
  t.equal(compiled() - before, 2, 'one insert and one select text, compiled once each');
  t.same(await sql<{ n: number }>`select count(*) as n from items`.execute(db).then((r) => r.rows[0]), { n: 50 });
});

t.test('a statement busy in an iteration is not handed out again', async (t) => {
  const { cached } = openCounted(t);
  const setup = cached.prepare('create table n (v integer)');
  setup.run([]);
  for (let v = 0; v < 3; v++) cached.prepare('insert into n (v) values (?)').run([v]);
  const text = 'select v from n order by v';
  const outer = cached.prepare(text);
  const seen: number[][] = [];
  for (const row of outer.iterate([]) as Iterable<{ v: number }>) {
    // The same text while the first is mid-iteration: a fresh statement, not the busy one.
    const inner = cached.prepare(text);
    t.not(inner, outer, 'a second statement while the first iterates');
    seen.push((inner.all([]) as { v: number }[]).map((r) => r.v).concat(row.v));
  }
  t.same(seen, [
    [0, 1, 2, 0],
    [0, 1, 2, 1],
    [0, 1, 2, 2],
  ]);
  t.equal(cached.prepare(text), outer, 'once the iteration ends, the cached one again');
});

t.test('the least recently used text is evicted past the size', async (t) => {
  const { cached, compiled } = openCounted(t, 2);
  const a = cached.prepare('select 1');
  cached.prepare('select 2');
  t.equal(cached.prepare('select 1'), a, 'a hit');
  cached.prepare('select 3'); // evicts 'select 2', the least recently used
  const before = compiled();
  t.equal(cached.prepare('select 1'), a, 'still cached');
  cached.prepare('select 2');
  t.equal(compiled() - before, 1, "'select 2' compiled again after its eviction");
});

t.test('close closes the database', async (t) => {
  const { database, cached } = openCounted(t);
  cached.prepare('select 1');
  cached.close();
  t.equal(database.open, false);
});

import t from 'tap';
import { tableReferences } from './table-references.js';

/** `table via` for each reference found in `text`. */
function found(text: string): string[] {
  return tableReferences('sample.ts', text).map((reference) => `${reference.table} ${reference.via}`);
}

t.test('Kysely builder calls name their tables', async (t) => {
  const joined = "db.selectFrom('agents as a').innerJoin('chats as c', 'c.id', 'a.uid').selectAll()";
  t.same(found(joined), ['chats innerJoin', 'agents selectFrom']);
  t.same(found("db.selectFrom(['x', 'public.y as z'])"), ['x selectFrom', 'y selectFrom']);
  t.same(found("const T = 'tasks';\ndb.deleteFrom(T).execute()"), ['tasks deleteFrom']);
  const writes = "db.insertInto('a'); db.updateTable('b'); db.replaceInto('c'); db.mergeInto('d').using('e', 'e.id')";
  t.same(found(writes), ['a insertInto', 'b updateTable', 'c replaceInto', 'e using', 'd mergeInto']);
});

t.test('schema builder calls name their tables, an index the table it indexes', async (t) => {
  t.same(found("db.schema.createIndex('i').on('agents').column('a')"), ['agents on']);
  const foreignKey = "db.schema.createTable('t').addColumn('u', 'text', (c) => c.references('agents.uid'))";
  t.same(found(foreignKey), ['t createTable', 'agents references']);
  t.same(found("db.schema.alterTable('a'); db.schema.dropTable('b')"), ['a alterTable', 'b dropTable']);
  const condition = "qb.innerJoin('c', (join) => join.on('c.id', '=', 'a.uid'))";
  t.same(found(condition), ['c innerJoin'], 'a join condition is not a table');
});

t.test('raw SQL text names tables after from, join, into, update, table, references and index on', async (t) => {
  const interpolated = 'sql`select * from ${x} join "public"."agents" on 1`';
  t.same(found(interpolated), ['agents sql'], 'an interpolated name is not read');
  t.same(found('sql`update mailbox set a = 1`; sql`insert into chats values (1)`'), ['mailbox sql', 'chats sql']);
  t.same(found("sql.raw('CREATE INDEX IF NOT EXISTS foo ON agents (x)')"), ['agents sql']);
  const ddl = 'sql`create table if not exists widgets (id text references agents(uid))`';
  t.same(found(ddl), ['widgets sql', 'agents sql']);
  t.same(found("const s = 'select * from agents'; // from agents"), [], 'only sql templates are SQL');
});

import { type Kysely, type Migration, sql } from 'kysely';
import { isSqlite, withSerialId } from '../../../core/index.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a migration sees the schema, not typed tables
type AnyDb = Kysely<any>;

/**
 * Agent memory: one row per (team, scope, owner, key) holding the current version, every version in
 * memory_versions. Search: SQLite indexes key, value and tags with FTS5 (external content kept in
 * step by triggers, porter stemming), PostgreSQL with a generated, weighted tsvector and a GIN index.
 */
export const memoryMigration: Migration = {
  async up(untyped: Kysely<unknown>) {
    const db = untyped as AnyDb;
    await withSerialId(db, db.schema.createTable('memory_entries'))
      .addColumn('team_name', 'text', (c) => c.notNull())
      .addColumn('scope', 'text', (c) => c.notNull())
      .addColumn('owner', 'text', (c) => c.notNull())
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('tags', 'text', (c) => c.notNull())
      .addColumn('memory_type', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('access_count', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('created_uid', 'text', (c) => c.notNull())
      .addColumn('created_handle', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_uid', 'text', (c) => c.notNull())
      .addColumn('updated_handle', 'text', (c) => c.notNull())
      .addColumn('last_accessed', 'bigint', (c) => c.notNull())
      .addColumn('deleted_at', 'bigint')
      .execute();
    await db.schema
      .createIndex('memory_entries_key')
      .on('memory_entries')
      .columns(['team_name', 'scope', 'owner', 'key'])
      .unique()
      .execute();
    await db.schema
      .createIndex('memory_entries_recent')
      .on('memory_entries')
      .columns(['team_name', 'owner', 'updated_at'])
      .execute();
    await db.schema
      .createTable('memory_versions')
      .addColumn('entry_id', 'integer', (c) => c.notNull().references('memory_entries.id').onDelete('cascade'))
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('tags', 'text', (c) => c.notNull())
      .addColumn('memory_type', 'text', (c) => c.notNull())
      .addColumn('deleted', 'integer', (c) => c.notNull())
      .addColumn('uid', 'text', (c) => c.notNull())
      .addColumn('handle', 'text', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('memory_versions_pk', ['entry_id', 'version'])
      .execute();
    if (isSqlite(db)) {
      await sql`create virtual table memory_fts using fts5(
        key, value, tags, content='memory_entries', content_rowid='id', tokenize='porter unicode61'
      )`.execute(db);
      // External content: the index is told of every change to the indexed columns.
      await sql`create trigger memory_fts_insert after insert on memory_entries begin
        insert into memory_fts(rowid, key, value, tags) values (new.id, new.key, new.value, new.tags);
      end`.execute(db);
      await sql`create trigger memory_fts_delete after delete on memory_entries begin
        insert into memory_fts(memory_fts, rowid, key, value, tags)
          values ('delete', old.id, old.key, old.value, old.tags);
      end`.execute(db);
      await sql`create trigger memory_fts_update after update of key, value, tags on memory_entries begin
        insert into memory_fts(memory_fts, rowid, key, value, tags)
          values ('delete', old.id, old.key, old.value, old.tags);
        insert into memory_fts(rowid, key, value, tags) values (new.id, new.key, new.value, new.tags);
      end`.execute(db);
    } else {
      // Keys weigh most, then tags, then values; keys and paths split at - _ / . so their words count.
      await sql`alter table memory_entries add column search tsvector generated always as (
        setweight(to_tsvector('english', regexp_replace(key, '([-_/.:])', ' \\1 ', 'g')), 'A') ||
        setweight(to_tsvector('english', tags), 'B') ||
        setweight(to_tsvector('english', regexp_replace(value, '([/.])', ' \\1 ', 'g')), 'C')
      ) stored`.execute(db);
      await sql`create index memory_entries_search on memory_entries using gin (search)`.execute(db);
    }
  },
  async down(untyped: Kysely<unknown>) {
    const db = untyped as AnyDb;
    if (isSqlite(db)) await sql`drop table memory_fts`.execute(db);
    await db.schema.dropTable('memory_versions').execute();
    await db.schema.dropTable('memory_entries').execute();
  },
};

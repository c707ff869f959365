import { type Kysely, type Migration, sql } from 'kysely';
import { isSqlite, withSerialId } from '../../../core/index.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a migration sees the schema, not typed tables
type AnyDb = Kysely<any>;

/**
 * The tools' tables: lmsh aliases per team, and session text given to POST /search/index. SQLite
 * indexes that text with FTS5 (porter over unicode61), kept by triggers in the same transaction as
 * the rows; PostgreSQL with a generated tsvector (paths split at / and .) and a GIN index.
 */
export const lmshMigration: Migration = {
  async up(untyped: Kysely<unknown>) {
    const db = untyped as AnyDb;
    await db.schema
      .createTable('knowledge_lmsh_aliases')
      .addColumn('team_name', 'text', (c) => c.notNull())
      .addColumn('alias', 'text', (c) => c.notNull())
      .addColumn('command', 'text', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('knowledge_lmsh_aliases_pk', ['team_name', 'alias'])
      .execute();
    await withSerialId(db, db.schema.createTable('knowledge_session_texts'))
      .addColumn('team_name', 'text', (c) => c.notNull())
      .addColumn('session_id', 'text', (c) => c.notNull())
      .addColumn('content', 'text', (c) => c.notNull())
      .addColumn('model', 'text')
      .addColumn('project_path', 'text')
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('indexed_by', 'text', (c) => c.notNull())
      .addColumn('indexed_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('knowledge_session_texts_team_session', ['team_name', 'session_id'])
      .execute();
    if (isSqlite(db)) {
      await sql`create virtual table knowledge_session_texts_fts using fts5(
        content, content='knowledge_session_texts', content_rowid='id', tokenize='porter unicode61'
      )`.execute(db);
      await sql`create trigger knowledge_session_texts_ai after insert on knowledge_session_texts begin
        insert into knowledge_session_texts_fts(rowid, content) values (new.id, new.content);
      end`.execute(db);
      await sql`create trigger knowledge_session_texts_ad after delete on knowledge_session_texts begin
        insert into knowledge_session_texts_fts(knowledge_session_texts_fts, rowid, content)
          values ('delete', old.id, old.content);
      end`.execute(db);
    } else {
      await sql`alter table knowledge_session_texts add column search tsvector generated always as (
        to_tsvector('english', regexp_replace(content, '([/.])', ' \\1 ', 'g'))
      ) stored`.execute(db);
      await sql`create index knowledge_session_texts_search on knowledge_session_texts using gin (search)`.execute(db);
    }
  },
  async down(untyped: Kysely<unknown>) {
    const db = untyped as AnyDb;
    if (isSqlite(db)) await sql`drop table knowledge_session_texts_fts`.execute(db);
    await db.schema.dropTable('knowledge_session_texts').execute();
    await db.schema.dropTable('knowledge_lmsh_aliases').execute();
  },
};

import { type Kysely, type Migration, sql } from 'kysely';
import { isSqlite, withSerialId } from '../../../core/index.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a migration sees the schema, not typed tables
type AnyDb = Kysely<any>;

/**
 * What agents wrote, for full-text search: SQLite indexes it with FTS5 (porter stemming over
 * unicode61 tokens; the table holds the text once, the index points at its rows), PostgreSQL with
 * a generated tsvector column (english, paths split at / and .) and a GIN index.
 */
export const sessionTextMigration: Migration = {
  async up(untyped: Kysely<unknown>) {
    const db = untyped as AnyDb;
    await withSerialId(db, db.schema.createTable('session_text'))
      .addColumn('team_name', 'text', (c) => c.notNull())
      .addColumn('handle', 'text', (c) => c.notNull())
      .addColumn('session_id', 'text', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('text', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('session_text_team_at').on('session_text').columns(['team_name', 'at']).execute();
    await db.schema
      .createIndex('session_text_session')
      .on('session_text')
      .columns(['team_name', 'session_id'])
      .execute();
    if (isSqlite(db)) {
      await sql`create virtual table session_text_fts using fts5(
        text, content='session_text', content_rowid='id', tokenize='porter unicode61'
      )`.execute(db);
    } else {
      // Paths split at / and . first: PostgreSQL's parser takes /src/app/main.ts as one token, and
      // `main` should find it as it does on SQLite.
      await sql`alter table session_text add column search tsvector
        generated always as (to_tsvector('english', regexp_replace(text, '([/.])', ' \\1 ', 'g'))) stored`.execute(db);
      await sql`create index session_text_search on session_text using gin (search)`.execute(db);
    }
  },
  async down(untyped: Kysely<unknown>) {
    const db = untyped as AnyDb;
    if (isSqlite(db)) await sql`drop table session_text_fts`.execute(db);
    await db.schema.dropTable('session_text').execute();
  },
};

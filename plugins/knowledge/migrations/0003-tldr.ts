import { type Kysely, type Migration, sql } from 'kysely';
import { isSqlite, withSerialId } from '../../../core/index.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a migration sees the schema, not typed tables
type AnyDb = Kysely<any>;

/**
 * Code summaries by (team, path), codebase overviews by (team, root), the dependency edges (both
 * directions indexed: dependencies and dependents). Summaries are searchable: FTS5 kept in step by
 * triggers on SQLite, a generated tsvector with a GIN index on PostgreSQL.
 */
export const tldrMigration: Migration = {
  async up(untyped: Kysely<unknown>) {
    const db = untyped as AnyDb;
    await withSerialId(db, db.schema.createTable('tldr_summaries'))
      .addColumn('team_name', 'text', (c) => c.notNull())
      .addColumn('file_path', 'text', (c) => c.notNull())
      .addColumn('content_hash', 'text', (c) => c.notNull())
      .addColumn('summary', 'text', (c) => c.notNull())
      .addColumn('exports', 'text', (c) => c.notNull())
      .addColumn('imports', 'text', (c) => c.notNull())
      .addColumn('dependencies', 'text', (c) => c.notNull())
      .addColumn('line_count', 'integer', (c) => c.notNull())
      .addColumn('language', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_by', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('tldr_summaries_path')
      .on('tldr_summaries')
      .columns(['team_name', 'file_path'])
      .unique()
      .execute();
    await withSerialId(db, db.schema.createTable('tldr_overviews'))
      .addColumn('team_name', 'text', (c) => c.notNull())
      .addColumn('root_path', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('description', 'text')
      .addColumn('structure', 'text', (c) => c.notNull())
      .addColumn('key_files', 'text', (c) => c.notNull())
      .addColumn('patterns', 'text', (c) => c.notNull())
      .addColumn('tech_stack', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_by', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('tldr_overviews_root')
      .on('tldr_overviews')
      .columns(['team_name', 'root_path'])
      .unique()
      .execute();
    await db.schema
      .createTable('tldr_edges')
      .addColumn('team_name', 'text', (c) => c.notNull())
      .addColumn('from_file', 'text', (c) => c.notNull())
      .addColumn('to_file', 'text', (c) => c.notNull())
      .addColumn('import_type', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('tldr_edges_pk', ['team_name', 'from_file', 'to_file'])
      .execute();
    await db.schema.createIndex('tldr_edges_to').on('tldr_edges').columns(['team_name', 'to_file']).execute();
    if (isSqlite(db)) {
      await sql`create virtual table tldr_summaries_fts using fts5(
        file_path, summary, exports, content='tldr_summaries', content_rowid='id', tokenize='porter unicode61'
      )`.execute(db);
      await sql`create trigger tldr_summaries_fts_insert after insert on tldr_summaries begin
        insert into tldr_summaries_fts(rowid, file_path, summary, exports)
          values (new.id, new.file_path, new.summary, new.exports);
      end`.execute(db);
      await sql`create trigger tldr_summaries_fts_delete after delete on tldr_summaries begin
        insert into tldr_summaries_fts(tldr_summaries_fts, rowid, file_path, summary, exports)
          values ('delete', old.id, old.file_path, old.summary, old.exports);
      end`.execute(db);
      await sql`create trigger tldr_summaries_fts_update after update of file_path, summary, exports on tldr_summaries
      begin
        insert into tldr_summaries_fts(tldr_summaries_fts, rowid, file_path, summary, exports)
          values ('delete', old.id, old.file_path, old.summary, old.exports);
        insert into tldr_summaries_fts(rowid, file_path, summary, exports)
          values (new.id, new.file_path, new.summary, new.exports);
      end`.execute(db);
    } else {
      // Paths weigh most (split at / . - _ so `main` finds src/app/main.ts), then exports, then the summary.
      await sql`alter table tldr_summaries add column search tsvector generated always as (
        setweight(to_tsvector('english', regexp_replace(file_path, '([-_/.])', ' \\1 ', 'g')), 'A') ||
        setweight(to_tsvector('english', exports), 'B') ||
        setweight(to_tsvector('english', regexp_replace(summary, '([/.])', ' \\1 ', 'g')), 'C')
      ) stored`.execute(db);
      await sql`create index tldr_summaries_search on tldr_summaries using gin (search)`.execute(db);
    }
  },
  async down(untyped: Kysely<unknown>) {
    const db = untyped as AnyDb;
    if (isSqlite(db)) await sql`drop table tldr_summaries_fts`.execute(db);
    await db.schema.dropTable('tldr_edges').execute();
    await db.schema.dropTable('tldr_overviews').execute();
    await db.schema.dropTable('tldr_summaries').execute();
  },
};

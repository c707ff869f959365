import { type Kysely, type Migration, sql } from 'kysely';
import { isSqlite, withSerialId } from '../../../core/index.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a migration sees the schema, not typed tables
type AnyDb = Kysely<any>;

/**
 * Documents and their chunks. SQLite indexes chunks with FTS5 (porter over unicode61, heading and
 * text columns), kept by triggers in the same transaction as the rows; PostgreSQL with a generated
 * tsvector (heading weighted A, text B; paths split at / and .) and a GIN index. Either way a chunk
 * is searchable the moment its ingest commits.
 */
export const documentsMigration: Migration = {
  async up(untyped: Kysely<unknown>) {
    const db = untyped as AnyDb;
    await withSerialId(db, db.schema.createTable('knowledge_documents'))
      .addColumn('team_name', 'text', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('content_hash', 'text', (c) => c.notNull())
      .addColumn('format', 'text', (c) => c.notNull())
      .addColumn('tags', 'text', (c) => c.notNull())
      .addColumn('chars', 'integer', (c) => c.notNull())
      .addColumn('chunk_count', 'integer', (c) => c.notNull())
      .addColumn('ingested_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('knowledge_documents_team_source', ['team_name', 'source'])
      .execute();
    await withSerialId(db, db.schema.createTable('knowledge_chunks'))
      .addColumn('document_id', 'integer', (c) => c.notNull().references('knowledge_documents.id').onDelete('cascade'))
      .addColumn('team_name', 'text', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('ord', 'integer', (c) => c.notNull())
      .addColumn('heading', 'text', (c) => c.notNull())
      .addColumn('text', 'text', (c) => c.notNull())
      .addColumn('tags', 'text', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('knowledge_chunks_document').on('knowledge_chunks').columns(['document_id']).execute();
    await db.schema
      .createIndex('knowledge_chunks_team_at')
      .on('knowledge_chunks')
      .columns(['team_name', 'at'])
      .execute();
    if (isSqlite(db)) {
      await sql`create virtual table knowledge_chunks_fts using fts5(
        heading, text, content='knowledge_chunks', content_rowid='id', tokenize='porter unicode61'
      )`.execute(db);
      await sql`create trigger knowledge_chunks_ai after insert on knowledge_chunks begin
        insert into knowledge_chunks_fts(rowid, heading, text) values (new.id, new.heading, new.text);
      end`.execute(db);
      await sql`create trigger knowledge_chunks_ad after delete on knowledge_chunks begin
        insert into knowledge_chunks_fts(knowledge_chunks_fts, rowid, heading, text)
          values ('delete', old.id, old.heading, old.text);
      end`.execute(db);
    } else {
      await sql`alter table knowledge_chunks add column search tsvector generated always as (
        setweight(to_tsvector('english', regexp_replace(heading, '([/.])', ' \\1 ', 'g')), 'A') ||
        setweight(to_tsvector('english', regexp_replace(text, '([/.])', ' \\1 ', 'g')), 'B')
      ) stored`.execute(db);
      await sql`create index knowledge_chunks_search on knowledge_chunks using gin (search)`.execute(db);
    }
  },
  async down(untyped: Kysely<unknown>) {
    const db = untyped as AnyDb;
    if (isSqlite(db)) await sql`drop table knowledge_chunks_fts`.execute(db);
    await db.schema.dropTable('knowledge_chunks').execute();
    await db.schema.dropTable('knowledge_documents').execute();
  },
};

import { type Kysely, sql } from 'kysely';
import type { DocumentTables } from './tables.js';

export interface IndexStatus {
  index: 'fts5' | 'tsvector';
  documents: number;
  chunks: number;
  /** Chunks written but not yet in the search index (fleet-wide): 0 while indexing is synchronous. */
  indexLag: number;
  indexLagMeasure: string;
}

/**
 * The index lag is measured, not assumed: on SQLite, chunk rows minus the rows FTS5 holds for
 * them (its docsize table, one row per indexed chunk; triggers keep both in one transaction); on
 * PostgreSQL, chunks whose tsvector is null (it is a generated column, written with the row).
 */
export async function indexStatus(
  db: Kysely<DocumentTables>,
  dialect: 'sqlite' | 'postgres',
  counts: { documents: number; chunks: number },
): Promise<IndexStatus> {
  let lag: number;
  if (dialect === 'sqlite') {
    const row = await sql<{ lag: number }>`select
      (select count(*) from knowledge_chunks) - (select count(*) from knowledge_chunks_fts_docsize) as lag`.execute(db);
    lag = Number(row.rows[0]!.lag);
  } else {
    const row = await sql<{ lag: number }>`select count(*) as lag from knowledge_chunks where search is null`.execute(
      db,
    );
    lag = Number(row.rows[0]!.lag);
  }
  return {
    index: dialect === 'sqlite' ? 'fts5' : 'tsvector',
    ...counts,
    indexLag: Math.max(0, lag),
    indexLagMeasure:
      dialect === 'sqlite'
        ? 'chunk rows minus FTS5 index rows (triggers index in the writing transaction)'
        : 'chunks without a tsvector (a generated column, written with the row)',
  };
}

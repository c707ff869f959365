import { type Kysely, type RawBuilder, sql } from 'kysely';
import { documentErrors } from '../errors.js';
import type { DocumentTables } from './tables.js';
import { fts5Match, type Term, tsQuery } from './terms.js';

export interface DocumentQuery {
  terms: readonly Term[];
  match: 'all' | 'any';
  source?: string;
  tag?: string;
  since?: number;
  until?: number;
  limit: number;
  offset: number;
}

export interface Ranking {
  /** How much a new chunk's score is raised at most (0: recency plays no part). */
  recencyWeight: number;
  /** The age at which half of that bonus is left. */
  halfLifeMs: number;
  /** Now, for the age (a parameter so a test can fix it). */
  now: number;
}

export interface DocumentHit {
  id: number;
  source: string;
  heading: string;
  /** The matching text, the words found between <b> and </b>. */
  snippet: string;
  /** Higher is better: bm25 (SQLite) or ts_rank (PostgreSQL) × the recency factor; comparable within one answer. */
  score: number;
  tags: string[];
  chunk: number;
  at: string;
  timestamp: number;
}

/** ts_headline's options: the <b> markers FTS5's snippet uses too. */
const HEADLINE = 'StartSel=<b>, StopSel=</b>, MaxWords=35, MinWords=12, MaxFragments=2';

/**
 * BM25 (FTS5; heading weighted 2, text 1) or ts_rank (PostgreSQL; heading A, text B, normalised by
 * length) times the recency factor 1 + w·h/(h + age), filtered by source, tag and time, paginated.
 * The ranking is computed by the database, so limit and offset page through one ordering.
 */
export async function searchDocuments(
  db: Kysely<DocumentTables>,
  dialect: 'sqlite' | 'postgres',
  teamName: string,
  query: DocumentQuery,
  ranking: Ranking,
): Promise<{ results: DocumentHit[]; hasMore: boolean }> {
  if (query.since !== undefined && query.until !== undefined && query.until <= query.since)
    throw documentErrors.KNOWLEDGE_BAD_RANGE({}, { field: 'until' });
  const filters: RawBuilder<unknown>[] = [sql`c.team_name = ${teamName}`];
  if (query.source !== undefined) filters.push(sql`c.source = ${query.source}`);
  if (query.tag !== undefined) filters.push(sql`c.tags like ${`%,${query.tag},%`}`);
  if (query.since !== undefined) filters.push(sql`c.at >= ${query.since}`);
  if (query.until !== undefined) filters.push(sql`c.at < ${query.until}`);
  const where = sql.join(filters, sql` and `);
  const h = ranking.halfLifeMs;
  const take = query.limit + 1;
  type Row = { id: number; source: string; heading: string; ord: number; tags: string; at: number } & {
    snippet: string;
    score: number;
  };
  let rows: Row[];
  if (dialect === 'sqlite') {
    const age = sql`max(0, ${ranking.now} - c.at)`;
    const factor = sql`(1.0 + ${ranking.recencyWeight} * ${h} / (${h} + ${age}))`;
    const score = sql`(-bm25(knowledge_chunks_fts, 2.0, 1.0) * ${factor})`;
    const match = fts5Match(query.terms, query.match);
    // Rank first, snippets after: SQLite computes every selected column of every match before it
    // sorts, and a snippet of each of 100,000 matches of a common word is most of a search's time.
    const ranked = await sql<Omit<Row, 'snippet'>>`
      select c.id, c.source, c.heading, c.ord, c.tags, c.at, ${score} as score
      from knowledge_chunks_fts join knowledge_chunks c on c.id = knowledge_chunks_fts.rowid
      where knowledge_chunks_fts match ${match} and ${where}
      order by score desc, c.id desc
      limit ${take} offset ${query.offset}`.execute(db);
    const ids = ranked.rows.map((row) => Number(row.id));
    const snippets = new Map<number, string>();
    if (ids.length > 0) {
      const found = await sql<{ id: number; snippet: string }>`
        select rowid as id, snippet(knowledge_chunks_fts, 1, '<b>', '</b>', '…', 28) as snippet
        from knowledge_chunks_fts
        where knowledge_chunks_fts match ${match} and rowid in (${sql.join(ids)})`.execute(db);
      for (const row of found.rows) snippets.set(Number(row.id), row.snippet);
    }
    rows = ranked.rows.map((row) => ({ ...row, snippet: snippets.get(Number(row.id)) ?? '' }));
  } else {
    const age = sql`greatest(0, ${ranking.now}::bigint - c.at)`;
    const factor = sql`(1.0 + ${ranking.recencyWeight}::float8 * ${h}::float8 / (${h}::float8 + ${age}))`;
    const score = sql`(ts_rank(c.search, q, 1) * ${factor})`;
    const text = sql`c.text`;
    const result = await sql<Row>`
      select c.id, c.source, c.heading, c.ord, c.tags, c.at,
        case when strpos(ts_headline('english', ${text}, q, ${HEADLINE}), '<b>') > 0
          then ts_headline('english', ${text}, q, ${HEADLINE})
          else ts_headline('english', regexp_replace(${text}, '([/.])', ' \\1 ', 'g'), q, ${HEADLINE}) end as snippet,
        ${score} as score
      from knowledge_chunks c, to_tsquery('english', ${tsQuery(query.terms, query.match)}) q
      where c.search @@ q and ${where}
      order by score desc, c.id desc
      limit ${take} offset ${query.offset}`.execute(db);
    rows = result.rows;
  }
  const results = rows.slice(0, query.limit).map((row) => ({
    id: Number(row.id),
    source: row.source,
    heading: row.heading,
    snippet: row.snippet,
    score: Math.round(Number(row.score) * 1e6) / 1e6,
    tags: row.tags ? row.tags.slice(1, -1).split(',') : [],
    chunk: Number(row.ord),
    at: new Date(Number(row.at)).toISOString(),
    timestamp: Number(row.at),
  }));
  return { results, hasMore: rows.length > query.limit };
}

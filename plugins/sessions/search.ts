import { type Kysely, type RawBuilder, sql } from 'kysely';
import { sessionsErrors } from './errors.js';
import type { SessionsTables } from './tables.js';

export interface SearchQuery {
  query: string;
  handle?: string;
  sessionId?: string;
  since?: number;
  until?: number;
  limit: number;
  offset: number;
}

export interface SearchHit {
  sessionId: string;
  handle: string;
  kind: string;
  /** The matching text with the words found between <b> and </b>. */
  snippet: string;
  /** Higher is better (bm25 on SQLite, ts_rank on PostgreSQL: comparable within one answer). */
  score: number;
  at: string;
  /** The seed's field: ms since the epoch. */
  timestamp: number;
}

/** ts_headline's options: the seed's <b> markers. */
const HEADLINE = 'StartSel=<b>, StopSel=</b>, MaxWords=30, MinWords=10';

/** At most this many words are searched for. */
const MAX_TERMS = 20;

/**
 * The words of a query: letters, digits and _ (anything else separates them), a trailing `*` for
 * a prefix. Nothing of the query reaches the search engines' syntax but these, so no query is an
 * error there; all words must match.
 */
export function searchTerms(query: string): { word: string; prefix: boolean }[] {
  const terms = [...query.matchAll(/([\p{L}\p{N}_]+)(\*?)/gu)].map((m) => ({
    word: m[1]!.toLowerCase(),
    prefix: m[2] === '*',
  }));
  if (terms.length === 0) throw sessionsErrors.SESSIONS_EMPTY_QUERY({}, { field: 'query' });
  return terms.slice(0, MAX_TERMS);
}

/** Full-text search over what the team's agents wrote: FTS5 on SQLite, tsvector on PostgreSQL. */
export async function searchTranscripts(
  db: Kysely<SessionsTables>,
  dialect: 'sqlite' | 'postgres',
  teamName: string,
  query: SearchQuery,
): Promise<{ results: SearchHit[]; hasMore: boolean }> {
  const terms = searchTerms(query.query);
  const filters: RawBuilder<unknown>[] = [sql`t.team_name = ${teamName}`];
  if (query.handle !== undefined) filters.push(sql`t.handle = ${query.handle}`);
  if (query.sessionId !== undefined) filters.push(sql`t.session_id = ${query.sessionId}`);
  if (query.since !== undefined) filters.push(sql`t.at >= ${query.since}`);
  if (query.until !== undefined) filters.push(sql`t.at < ${query.until}`);
  const where = sql.join(filters, sql` and `);
  const take = query.limit + 1;
  type Row = { session_id: string; handle: string; kind: string; snippet: string; score: number; at: number };
  let rows: Row[];
  if (dialect === 'sqlite') {
    const match = terms.map((term) => `"${term.word}"${term.prefix ? '*' : ''}`).join(' ');
    const result = await sql<Row>`
      select t.session_id, t.handle, t.kind, t.at,
        snippet(session_text_fts, 0, '<b>', '</b>', '…', 24) as snippet,
        -bm25(session_text_fts) as score
      from session_text_fts join session_text t on t.id = session_text_fts.rowid
      where session_text_fts match ${match} and ${where}
      order by bm25(session_text_fts), t.id
      limit ${take} offset ${query.offset}`.execute(db);
    rows = result.rows;
  } else {
    const tsquery = terms.map((term) => `${term.word}${term.prefix ? ':*' : ''}`).join(' & ');
    const result = await sql<Row>`
      select t.session_id, t.handle, t.kind, t.at,
        case when strpos(ts_headline('english', t.text, q, ${HEADLINE}), '<b>') > 0
          then ts_headline('english', t.text, q, ${HEADLINE})
          else ts_headline('english', regexp_replace(t.text, '([/.])', ' \\1 ', 'g'), q, ${HEADLINE}) end as snippet,
        ts_rank(t.search, q) as score
      from session_text t, to_tsquery('english', ${tsquery}) q
      where t.search @@ q and ${where}
      order by score desc, t.id
      limit ${take} offset ${query.offset}`.execute(db);
    rows = result.rows;
  }
  const results = rows.slice(0, query.limit).map((row) => ({
    sessionId: row.session_id,
    handle: row.handle,
    kind: row.kind,
    snippet: row.snippet,
    score: Math.round(Number(row.score) * 1e6) / 1e6,
    at: new Date(Number(row.at)).toISOString(),
    timestamp: Number(row.at),
  }));
  return { results, hasMore: rows.length > query.limit };
}

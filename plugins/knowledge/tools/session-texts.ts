import { type Kysely, sql } from 'kysely';
import type { SessionsApi } from '../../sessions/index.js';
import { toolsErrors } from './errors.js';
import { fts5Match, parseSearchQuery, sessionsQuery, tsQuery } from './search-query.js';
import type { LmshTables } from './tables.js';

export interface IndexInput {
  sessionId: string;
  content: string;
  timestamp?: number;
  model?: string;
  projectPath?: string;
}

export interface SessionSearchQuery {
  query: string;
  limit: number;
  offset: number;
}

export interface SessionHit {
  sessionId: string;
  /** Higher is better: the fused rank of the hit in the lists it came from (see mergeHits). */
  score: number;
  /** The matching text with the words found between <b> and </b>. */
  snippet: string;
  /** ms since the epoch: the time given to /search/index, or when the agent wrote it. */
  timestamp: number;
  model?: string;
  projectPath?: string;
  /** The agent whose session it is (hits of the sessions plugin). */
  handle?: string;
  /** Where it was found: text given to /search/index, what agents wrote (the sessions plugin), or both. */
  source: 'indexed' | 'sessions' | 'both';
}

/** ts_headline's options: the seed's <b> markers. */
const HEADLINE = 'StartSel=<b>, StopSel=</b>, MaxWords=32, MinWords=12';
/** Reciprocal rank fusion's constant (the usual 60): ranks far down a list add little. */
const RRF_K = 60;
/** Rows asked of the sessions plugin at most (it answers one per chunk; several may share a session). */
const MAX_SESSION_ROWS = 300;

type Candidate = Omit<SessionHit, 'score' | 'source'> & { rank: number };

/**
 * How the two lists merge: each is ranked on its own engine's scale (bm25 here, ts_rank or bm25
 * there), which do not compare, so hits are fused by rank: score = Σ 1/(60 + rank) over the lists
 * a session appears in. One hit per session id: the best-ranked one gives the snippet; a session
 * in both lists ranks above one in either alone at the same rank.
 */
export function mergeHits(indexed: readonly Candidate[], sessions: readonly Candidate[]): SessionHit[] {
  const merged = new Map<string, { hit: Candidate; score: number; from: Set<'indexed' | 'sessions'> }>();
  const add = (list: readonly Candidate[], from: 'indexed' | 'sessions') => {
    for (const hit of list) {
      const score = 1 / (RRF_K + hit.rank);
      const known = merged.get(hit.sessionId);
      if (!known) merged.set(hit.sessionId, { hit, score, from: new Set([from]) });
      else {
        known.score += score;
        known.from.add(from);
        // The better-ranked hit gives snippet and time; the other adds what it lacks (a handle).
        known.hit = hit.rank < known.hit.rank ? { ...known.hit, ...hit } : { ...hit, ...known.hit };
      }
    }
  };
  add(indexed, 'indexed');
  add(sessions, 'sessions');
  return [...merged.values()]
    .sort(
      (a, b) => b.score - a.score || b.hit.timestamp - a.hit.timestamp || (a.hit.sessionId < b.hit.sessionId ? -1 : 1),
    )
    .map(({ hit, score, from }) => {
      const { rank: _rank, ...rest } = hit;
      return {
        ...rest,
        score: Math.round(score * 1e6) / 1e6,
        source: from.size === 2 ? 'both' : [...from][0]!,
      };
    });
}

/**
 * Session search: text callers give to POST /search/index, kept per team in this plugin's table
 * (FTS5 on SQLite, tsvector on PostgreSQL), and, when the sessions plugin runs, what the team's
 * agents wrote as it indexed it. Every call is scoped to the team it names.
 */
export class SessionTexts {
  constructor(
    private readonly db: Kysely<LmshTables>,
    private readonly dialect: 'sqlite' | 'postgres',
  ) {}

  /** Store (or replace) a session's text. Replacing one another agent indexed takes a lead (`lead`). */
  async index(
    teamName: string,
    by: { handle: string; lead: boolean },
    input: IndexInput,
  ): Promise<{ indexed: true; sessionId: string; replaced: boolean }> {
    const now = Date.now();
    return this.db.transaction().execute(async (trx) => {
      // Two first indexings of one id at once would both find no row and both insert (PostgreSQL,
      // read committed): one at a time per team and id. SQLite runs one write transaction at a time.
      if (this.dialect === 'postgres')
        await sql`select pg_advisory_xact_lock(hashtextextended(${`${teamName}/${input.sessionId}`}, 0))`.execute(trx);
      const old = await trx
        .selectFrom('knowledge_session_texts')
        .select(['id', 'indexed_by'])
        .where('team_name', '=', teamName)
        .where('session_id', '=', input.sessionId)
        .executeTakeFirst();
      if (old && old.indexed_by !== by.handle && !by.lead)
        throw toolsErrors.KNOWLEDGE_SEARCH_NOT_YOURS({ owner: old.indexed_by }, { field: 'sessionId' });
      // Delete and insert (not update): the FTS5 triggers keep the index in the same transaction.
      if (old) await trx.deleteFrom('knowledge_session_texts').where('id', '=', old.id).execute();
      await trx
        .insertInto('knowledge_session_texts')
        .values({
          team_name: teamName,
          session_id: input.sessionId,
          content: input.content,
          model: input.model ?? null,
          project_path: input.projectPath ?? null,
          at: input.timestamp ?? now,
          indexed_by: by.handle,
          indexed_at: now,
        })
        .execute();
      return { indexed: true as const, sessionId: input.sessionId, replaced: old !== undefined };
    });
  }

  /** Remove a session's indexed text (what the sessions plugin recorded stays); 404 when there is none. */
  async remove(teamName: string, sessionId: string): Promise<{ deleted: true; sessionId: string }> {
    const result = await this.db
      .deleteFrom('knowledge_session_texts')
      .where('team_name', '=', teamName)
      .where('session_id', '=', sessionId)
      .executeTakeFirst();
    if (Number(result.numDeletedRows) === 0) throw toolsErrors.KNOWLEDGE_SEARCH_NOT_FOUND({ sessionId });
    return { deleted: true, sessionId };
  }

  async count(teamName: string): Promise<number> {
    const row = await this.db
      .selectFrom('knowledge_session_texts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('team_name', '=', teamName)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async stats(teamName: string, sessions: SessionsApi | undefined) {
    return {
      documentCount: await this.count(teamName),
      backend: this.dialect === 'sqlite' ? 'sqlite-fts5' : 'postgres-tsvector',
      /** Whether /search also covers what agents wrote (the sessions plugin runs). */
      sessionsSearch: sessions !== undefined,
    };
  }

  /** The team's indexed texts and (when given) the sessions plugin's hits, merged by rank, one per session. */
  async search(
    teamName: string,
    query: SessionSearchQuery,
    sessions: SessionsApi | undefined,
  ): Promise<{ results: SessionHit[]; count: number; hasMore: boolean }> {
    const terms = parseSearchQuery(query.query);
    const want = query.offset + query.limit + 1;
    const indexed = await this.#searchIndexed(teamName, terms, want);
    let recorded: Candidate[] = [];
    if (sessions) {
      const answer = await sessions.search(teamName, {
        query: sessionsQuery(terms),
        limit: Math.min(want * 3, MAX_SESSION_ROWS),
        offset: 0,
      });
      const seen = new Set<string>();
      for (const hit of answer.results) {
        if (seen.has(hit.sessionId)) continue;
        seen.add(hit.sessionId);
        recorded.push({
          sessionId: hit.sessionId,
          snippet: hit.snippet,
          timestamp: hit.timestamp,
          handle: hit.handle,
          rank: seen.size,
        });
      }
      recorded = recorded.slice(0, want);
    }
    const merged = mergeHits(indexed, recorded);
    const results = merged.slice(query.offset, query.offset + query.limit);
    return { results, count: results.length, hasMore: merged.length > query.offset + query.limit };
  }

  async #searchIndexed(teamName: string, terms: ReturnType<typeof parseSearchQuery>, take: number) {
    type Row = { session_id: string; at: number; model: string | null; project_path: string | null; snippet: string };
    let rows: Row[];
    if (this.dialect === 'sqlite') {
      const result = await sql<Row>`
        select t.session_id, t.at, t.model, t.project_path,
          snippet(knowledge_session_texts_fts, 0, '<b>', '</b>', '…', 32) as snippet
        from knowledge_session_texts_fts join knowledge_session_texts t on t.id = knowledge_session_texts_fts.rowid
        where knowledge_session_texts_fts match ${fts5Match(terms)} and t.team_name = ${teamName}
        order by bm25(knowledge_session_texts_fts), t.id
        limit ${take}`.execute(this.db);
      rows = result.rows;
    } else {
      const result = await sql<Row>`
        select t.session_id, t.at, t.model, t.project_path,
          ts_headline('english', regexp_replace(t.content, '([/.])', ' \\1 ', 'g'), q, ${HEADLINE}) as snippet
        from knowledge_session_texts t, to_tsquery('english', ${tsQuery(terms)}) q
        where t.search @@ q and t.team_name = ${teamName}
        order by ts_rank(t.search, q) desc, t.id
        limit ${take}`.execute(this.db);
      rows = result.rows;
    }
    return rows.map((row, i) => ({
      sessionId: row.session_id,
      snippet: row.snippet,
      timestamp: Number(row.at),
      ...(row.model !== null ? { model: row.model } : {}),
      ...(row.project_path !== null ? { projectPath: row.project_path } : {}),
      rank: i + 1,
    }));
  }
}

import { type Kysely, sql } from 'kysely';
import type { Logger } from '../../core/index.js';
import type { TranscriptBatch } from '../workers/index.js';
import type { SessionStore } from './session-store.js';
import type { SessionsTables } from './tables.js';

/** Longest text kept of one entry: the search indexes this much of an answer (the log keeps it all). */
const MAX_ENTRY_CHARS = 32_000;
/** Entries of one session and kind gathered into one row (and one search hit) up to this length. */
const CHUNK_CHARS = 8000;
/** Entries that make a flush happen at once rather than at the next tick of the delay. */
const FLUSH_AT_ENTRIES = 2000;
/** Flushes a batch waits for its session's record before it is dropped (about 10 s at the default delay). */
const MAX_WAITS = 20;
/** Files remembered per session (the fallback checkpoint lists them). */
const MAX_FILES = 200;
const ROWS_PER_INSERT = 500;

interface Pending {
  batch: TranscriptBatch;
  at: number;
  waits: number;
}

/**
 * What agents write, indexed for search without slowing the output path: the workers plugin hands
 * each batch over synchronously and it is only kept here; every `delayMs` (or sooner, once many are
 * waiting) they are written in one transaction, with the FTS5 index on SQLite (PostgreSQL's tsvector
 * column is computed by the database). Tool calls' paths become the session's files.
 */
export class TranscriptIndex {
  #pending: Pending[] = [];
  #entries = 0;
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(
    private readonly db: Kysely<SessionsTables>,
    private readonly dialect: 'sqlite' | 'postgres',
    private readonly store: SessionStore,
    private readonly log: Logger,
    private readonly delayMs: () => number,
  ) {}

  /** Keep a batch for the next flush (called on the output path: no I/O here). */
  add(batch: TranscriptBatch): void {
    if (this.#closed || !batch.sessionId) return;
    this.#pending.push({ batch, at: Date.now(), waits: 0 });
    this.#entries += batch.entries.length;
    if (this.#entries >= FLUSH_AT_ENTRIES) this.#schedule(0);
    else this.#schedule(this.delayMs());
  }

  #schedule(ms: number): void {
    if (this.#timer && ms > 0) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.flush();
    }, ms);
    this.#timer.unref();
  }

  /** Write what is waiting; one flush at a time. Resolves when everything kept so far is written. */
  flush(): Promise<void> {
    this.#flushing = this.#flushing
      .then(() => this.#write())
      .catch((error: unknown) => {
        this.log.error('transcript indexing failed', { error: (error as Error).message });
      });
    return this.#flushing;
  }

  /** Write what is waiting and stop taking more. */
  async close(): Promise<void> {
    clearTimeout(this.#timer);
    await this.flush();
    this.#closed = true;
  }

  async #write(): Promise<void> {
    const pending = this.#pending;
    this.#pending = [];
    this.#entries = 0;
    if (pending.length === 0) return;
    // Each batch's session record, by worker and Claude's session id (made by the session tracker).
    const ids = new Map<string, string | undefined>();
    const keyOf = (b: TranscriptBatch) => `${b.teamName}/${b.handle}/${b.workerCreatedAt}/${b.sessionId}`;
    for (const { batch } of pending) {
      const key = keyOf(batch);
      if (ids.has(key)) continue;
      const worker = { teamName: batch.teamName, handle: batch.handle, workerCreatedAt: batch.workerCreatedAt };
      ids.set(key, (await this.store.ofAgentSession(worker, batch.sessionId!))?.id);
    }
    const rows: { team_name: string; handle: string; session_id: string; at: number; kind: string; text: string }[] =
      [];
    const files = new Map<string, { teamName: string; paths: string[] }>();
    /** The row each session's text and tool entries are being gathered into. */
    const open = new Map<string, (typeof rows)[number]>();
    for (const item of pending) {
      const sessionId = ids.get(keyOf(item.batch));
      if (!sessionId) {
        // Its session is not recorded yet (the tracker is behind): try again at the next flush.
        if (++item.waits <= MAX_WAITS) this.#requeue(item);
        else this.log.warn('transcript text dropped: its session was never recorded', { handle: item.batch.handle });
        continue;
      }
      for (const entry of item.batch.entries) {
        const text = entry.text.length > MAX_ENTRY_CHARS ? entry.text.slice(0, MAX_ENTRY_CHARS) : entry.text;
        // Consecutive entries of a session and kind share a row, up to CHUNK_CHARS: an agent writing
        // many short lines costs a few index rows a flush, not one each.
        const last = open.get(`${sessionId}/${entry.kind}`);
        if (last && last.text.length + text.length + 1 <= CHUNK_CHARS) last.text += `\n${text}`;
        else {
          const row = {
            team_name: item.batch.teamName,
            handle: item.batch.handle,
            session_id: sessionId,
            at: item.at,
            kind: entry.kind,
            text,
          };
          rows.push(row);
          open.set(`${sessionId}/${entry.kind}`, row);
        }
        if (entry.paths.length === 0) continue;
        const touched = files.get(sessionId) ?? { teamName: item.batch.teamName, paths: [] };
        touched.paths.push(...entry.paths);
        files.set(sessionId, touched);
      }
    }
    if (rows.length === 0 && files.size === 0) return;
    await this.db.transaction().execute(async (trx) => {
      for (let at = 0; at < rows.length; at += ROWS_PER_INSERT) {
        const chunk = rows.slice(at, at + ROWS_PER_INSERT);
        const inserted = await trx.insertInto('session_text').values(chunk).returning('id').execute();
        if (this.dialect !== 'sqlite' || inserted.length === 0) continue;
        const first = Math.min(...inserted.map((row) => Number(row.id)));
        const last = Math.max(...inserted.map((row) => Number(row.id)));
        await sql`insert into session_text_fts(rowid, text)
          select id, text from session_text where id between ${first} and ${last}`.execute(trx);
      }
      for (const [sessionId, touched] of files) {
        const session = await this.store.find(touched.teamName, sessionId, trx);
        if (!session) continue;
        const known: string[] = session.files ? (JSON.parse(session.files) as string[]) : [];
        const merged = [...new Set([...known, ...touched.paths])].slice(0, MAX_FILES);
        if (merged.length !== known.length)
          await this.store.update(touched.teamName, sessionId, { files: JSON.stringify(merged) }, trx);
      }
    });
  }

  #requeue(item: Pending): void {
    this.#pending.push(item);
    this.#entries += item.batch.entries.length;
    this.#schedule(this.delayMs());
  }
}

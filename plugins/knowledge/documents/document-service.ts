import { createHash } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { documentErrors } from '../errors.js';
import { type ChunkOptions, chunkDocument } from './chunker.js';
import type { DocumentTables } from './tables.js';

export interface IngestInput {
  source: string;
  content: string;
  format?: 'markdown' | 'text';
  tags?: readonly string[];
  by: string;
}

export interface IngestResult {
  source: string;
  documentId: number;
  contentHash: string;
  chunks: number;
  /** False when the same content (and tags) was there already: nothing was written. */
  changed: boolean;
  /** True when the source existed with other content, whose chunks this ingest replaced. */
  replaced: boolean;
}

export interface SourceInfo {
  source: string;
  format: string;
  tags: string[];
  chunks: number;
  chars: number;
  contentHash: string;
  ingestedBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface DocumentCounts {
  documents: number;
  chunks: number;
}

const ROWS_PER_INSERT = 200;

/** A document's identity for idempotence: the same format, tags and text hash the same. */
export function contentHash(content: string, format: string, tags: readonly string[]): string {
  return createHash('sha256')
    .update(`${format}\n${[...new Set(tags)].sort().join(',')}\n`)
    .update(content)
    .digest('hex');
}

/** Documents of every team, one per (team, source): ingest (idempotent), list, delete, count. */
export class DocumentService {
  constructor(
    private readonly db: Kysely<DocumentTables>,
    private readonly chunking: () => Omit<ChunkOptions, 'format'>,
  ) {}

  /**
   * Chunk and store a document under its source. The same content again changes nothing (and
   * writes nothing); other content for the same source replaces its chunks, in one transaction, so
   * a search sees the old chunks or the new, never both or neither.
   */
  async ingest(teamName: string, input: IngestInput): Promise<IngestResult> {
    const format = input.format ?? 'markdown';
    const tags = [...new Set(input.tags ?? [])];
    const hash = contentHash(input.content, format, tags);
    const existing = await this.#find(teamName, input.source);
    if (existing && existing.content_hash === hash)
      return this.#result(input.source, existing.id, hash, existing.chunk_count, false, false);
    const chunks = chunkDocument(input.content, { ...this.chunking(), format });
    if (chunks.length === 0) throw documentErrors.KNOWLEDGE_EMPTY_DOCUMENT({}, { field: 'content' });
    const now = Date.now();
    const tagText = tags.length > 0 ? `,${tags.join(',')},` : '';
    return this.db.transaction().execute(async (trx) => {
      // Read again inside the transaction: two ingests of one source at once end with one document.
      const current = await trx
        .selectFrom('knowledge_documents')
        .select(['id', 'content_hash', 'chunk_count'])
        .where('team_name', '=', teamName)
        .where('source', '=', input.source)
        .executeTakeFirst();
      if (current && current.content_hash === hash)
        return this.#result(input.source, current.id, hash, current.chunk_count, false, false);
      const values = {
        content_hash: hash,
        format,
        tags: JSON.stringify(tags),
        chars: input.content.length,
        chunk_count: chunks.length,
        ingested_by: input.by,
        updated_at: now,
      };
      let documentId: number;
      if (current) {
        documentId = Number(current.id);
        await trx.deleteFrom('knowledge_chunks').where('document_id', '=', documentId).execute();
        await trx.updateTable('knowledge_documents').set(values).where('id', '=', documentId).execute();
      } else {
        const inserted = await trx
          .insertInto('knowledge_documents')
          .values({ team_name: teamName, source: input.source, created_at: now, ...values })
          .onConflict((oc) => oc.columns(['team_name', 'source']).doNothing())
          .returning('id')
          .executeTakeFirst();
        if (!inserted) {
          // Another ingest of this source committed between our read and insert: replace its chunks.
          const raced = await this.#find(teamName, input.source, trx);
          documentId = Number(raced!.id);
          await trx.deleteFrom('knowledge_chunks').where('document_id', '=', documentId).execute();
          await trx.updateTable('knowledge_documents').set(values).where('id', '=', documentId).execute();
        } else documentId = Number(inserted.id);
      }
      const rows = chunks.map((chunk, ord) => ({
        document_id: documentId,
        team_name: teamName,
        source: input.source,
        ord,
        heading: chunk.heading,
        text: chunk.text,
        tags: tagText,
        at: now,
      }));
      for (let at = 0; at < rows.length; at += ROWS_PER_INSERT)
        await trx
          .insertInto('knowledge_chunks')
          .values(rows.slice(at, at + ROWS_PER_INSERT))
          .execute();
      return this.#result(input.source, documentId, hash, chunks.length, true, current !== undefined);
    });
  }

  #result(source: string, id: number, hash: string, chunks: number, changed: boolean, replaced: boolean) {
    return { source, documentId: Number(id), contentHash: hash, chunks: Number(chunks), changed, replaced };
  }

  #find(teamName: string, source: string, db: Kysely<DocumentTables> = this.db) {
    return db
      .selectFrom('knowledge_documents')
      .select(['id', 'content_hash', 'chunk_count'])
      .where('team_name', '=', teamName)
      .where('source', '=', source)
      .executeTakeFirst();
  }

  /** The team's sources, newest first. */
  async sources(teamName: string, page: { limit: number; offset: number }): Promise<SourceInfo[]> {
    const rows = await this.db
      .selectFrom('knowledge_documents')
      .selectAll()
      .where('team_name', '=', teamName)
      .orderBy('updated_at', 'desc')
      .orderBy('id', 'desc')
      .limit(page.limit)
      .offset(page.offset)
      .execute();
    return rows.map((row) => ({
      source: row.source,
      format: row.format,
      tags: JSON.parse(row.tags) as string[],
      chunks: Number(row.chunk_count),
      chars: Number(row.chars),
      contentHash: row.content_hash,
      ingestedBy: row.ingested_by,
      createdAt: new Date(Number(row.created_at)).toISOString(),
      updatedAt: new Date(Number(row.updated_at)).toISOString(),
    }));
  }

  /** Delete a source and its chunks; 404 KNOWLEDGE_SOURCE_NOT_FOUND when the team has none of that name. */
  async remove(teamName: string, source: string): Promise<{ source: string; chunks: number }> {
    return this.db.transaction().execute(async (trx) => {
      const found = await this.#find(teamName, source, trx);
      if (!found) throw documentErrors.KNOWLEDGE_SOURCE_NOT_FOUND({}, { source });
      const id = Number(found.id);
      await trx.deleteFrom('knowledge_chunks').where('document_id', '=', id).execute();
      await trx.deleteFrom('knowledge_documents').where('id', '=', id).execute();
      return { source, chunks: Number(found.chunk_count) };
    });
  }

  /** COUNT(*)s of a team (or every team). */
  async counts(teamName?: string): Promise<DocumentCounts> {
    const count = async (table: 'knowledge_documents' | 'knowledge_chunks') => {
      let query = this.db.selectFrom(table).select(sql<number>`count(*)`.as('n'));
      if (teamName !== undefined) query = query.where('team_name', '=', teamName);
      return Number((await query.executeTakeFirstOrThrow()).n);
    };
    return { documents: await count('knowledge_documents'), chunks: await count('knowledge_chunks') };
  }
}

import type { Generated } from 'kysely';

/** One ingested document per team and source. Times are ms since the epoch. */
export interface KnowledgeDocumentsTable {
  id: Generated<number>;
  team_name: string;
  source: string;
  /** sha256 of format, tags and content: the same again changes nothing. */
  content_hash: string;
  format: string;
  /** JSON array of tags. */
  tags: string;
  chars: number;
  chunk_count: number;
  ingested_by: string;
  created_at: number;
  updated_at: number;
}

/** A searchable piece of a document: a section (under its heading path), cut by size with overlap. */
export interface KnowledgeChunksTable {
  id: Generated<number>;
  document_id: number;
  team_name: string;
  source: string;
  ord: number;
  /** The section's heading path ("Setup > Tests"), empty before the first heading. */
  heading: string;
  text: string;
  /** The document's tags as ",a,b," so one tag is a LIKE '%,a,%' away. */
  tags: string;
  /** When this text was ingested (recency and the since/until filters). */
  at: number;
}

/** SQLite only: the FTS5 index over knowledge_chunks (external content, kept by triggers). */
export interface KnowledgeChunksFtsTable {
  rowid: number;
  heading: string;
  text: string;
}

/** SQLite only: the tables FTS5 keeps its index in (never queried by the plugin). */
interface FtsShadowTable {
  [column: string]: unknown;
}

export interface DocumentTables {
  knowledge_documents: KnowledgeDocumentsTable;
  knowledge_chunks: KnowledgeChunksTable;
  knowledge_chunks_fts: KnowledgeChunksFtsTable;
  knowledge_chunks_fts_config: FtsShadowTable;
  knowledge_chunks_fts_data: FtsShadowTable;
  knowledge_chunks_fts_docsize: FtsShadowTable;
  knowledge_chunks_fts_idx: FtsShadowTable;
}

export const documentTableDescriptions = {
  knowledge_documents: 'Ingested documents of every team: source, content hash, tags, chunk count, who and when',
  knowledge_chunks: 'The searchable chunks of each document (heading path, text, tags, time)',
  knowledge_chunks_fts: 'SQLite only: the FTS5 index of knowledge_chunks (PostgreSQL: a tsvector column and GIN)',
  knowledge_chunks_fts_config: 'SQLite only: kept by FTS5 for knowledge_chunks_fts',
  knowledge_chunks_fts_data: 'SQLite only: kept by FTS5 for knowledge_chunks_fts',
  knowledge_chunks_fts_docsize: 'SQLite only: kept by FTS5 for knowledge_chunks_fts',
  knowledge_chunks_fts_idx: 'SQLite only: kept by FTS5 for knowledge_chunks_fts',
} as const;

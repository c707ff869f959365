import { defineTables } from '../../core/index.js';
import { type DocumentTables, documentTableDescriptions } from './documents/tables.js';
import { type MemoryTables, memoryTables } from './memory/index.js';
import { type TldrTables, tldrTables } from './tldr/index.js';
import { type LmshTables, lmshTables } from './tools/index.js';

/** Every table of the plugin: documents (documents/), memory and tldr (memory/, tldr/), lmsh and /search (tools/). */
export type KnowledgeTables = DocumentTables & MemoryTables & TldrTables & LmshTables;

export const knowledgeTables = defineTables<KnowledgeTables>({
  ...documentTableDescriptions,
  ...(memoryTables.descriptions as { [K in keyof MemoryTables]: string }),
  ...(tldrTables.descriptions as { [K in keyof TldrTables]: string }),
  ...(lmshTables.descriptions as { [K in keyof LmshTables]: string }),
});

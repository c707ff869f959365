import { defineTables } from '../../core/index.js';
import { type DocumentTables, documentTableDescriptions } from './documents/tables.js';

/** Every table of the plugin: documents (here), memory and tldr (memory/, tldr/), lmsh (tools/). */
export type KnowledgeTables = DocumentTables;

export const knowledgeTables = defineTables<KnowledgeTables>({
  ...documentTableDescriptions,
});

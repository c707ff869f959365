import { defineEvents } from '../../core/index.js';

declare module '../../core/index.js' {
  interface FleetEventMap {
    knowledge_ingested: { source: string; chunks: number; changed: boolean; by: string };
    knowledge_source_deleted: { source: string; chunks: number; by: string };
  }
}

/** On the team's `knowledge` topic: names and counts only, never a document's text. */
export const documentEvents = defineEvents({
  knowledge_ingested: { topic: 'knowledge', summary: 'A document was ingested (or re-ingested unchanged)' },
  knowledge_source_deleted: { topic: 'knowledge', summary: 'A source and its chunks were deleted' },
});

import { defineErrors } from '../../core/index.js';

/** The documents' and the unified search's errors (memory, tldr and tools define theirs in their folders). */
export const documentErrors = defineErrors({
  KNOWLEDGE_EMPTY_QUERY: [400, 'query: must contain a word (letters or digits)'],
  KNOWLEDGE_BAD_RANGE: [400, 'until: must be after since'],
  KNOWLEDGE_EMPTY_DOCUMENT: [400, 'content: has no text to index'],
  KNOWLEDGE_SOURCE_NOT_FOUND: [404, 'Source not found'],
});

import { defineErrors } from '../../../core/index.js';

/** Code summaries' errors (K1 merges them into the plugin's `errors`). */
export const tldrErrors = defineErrors({
  KNOWLEDGE_TLDR_SUMMARY_NOT_FOUND: [404, 'File summary not found'],
  KNOWLEDGE_TLDR_CODEBASE_NOT_FOUND: [404, 'Codebase overview not found'],
  KNOWLEDGE_TLDR_INVALIDATE_WHAT: [400, 'filePath: name a file to invalidate, or pass all: true (team leads)'],
  KNOWLEDGE_TLDR_EMPTY_QUERY: [400, 'query: must contain a word (letters or digits)'],
});

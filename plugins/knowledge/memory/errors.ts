import { defineErrors } from '../../../core/index.js';

/** Agent memory's errors (K1 merges them into the plugin's `errors`). */
export const memoryErrors = defineErrors({
  KNOWLEDGE_MEMORY_NOT_FOUND: [404, 'Memory not found'],
  KNOWLEDGE_MEMORY_VERSION_CONFLICT: [
    409,
    'expectedVersion: the memory is at version {current}, not {expected} (someone wrote it since you read it)',
  ],
  KNOWLEDGE_MEMORY_NOT_YOURS: [
    403,
    "agentId: {agentId} is not you ({handle}); a worker's memory is its own (team leads may read their workers')",
  ],
  KNOWLEDGE_MEMORY_EMPTY_QUERY: [400, 'query: must contain a word (letters or digits)'],
});

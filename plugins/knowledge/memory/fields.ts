import * as v from 'valibot';
import { f } from '../../../core/index.js';

/** Limits of a memory (the seed had none): a key names a fact, a value states it. */
export const MEMORY_LIMITS = { key: 200, value: 20_000, tag: 50, tags: 20, memoryType: 50 } as const;

export const memoryKey = f.text({ min: 1, max: MEMORY_LIMITS.key });
export const memoryValue = f.text({ min: 1, max: MEMORY_LIMITS.value });
export const memoryTags = f.list(f.text({ min: 1, max: MEMORY_LIMITS.tag }), {
  max: MEMORY_LIMITS.tags,
  of: 'strings',
  unit: 'tags',
});
/** The seed's memoryType (fact by default): a free word, such as fact, decision, pattern, error. */
export const memoryType = v.pipe(
  f.text({ min: 1, max: MEMORY_LIMITS.memoryType }),
  v.regex(/^[A-Za-z0-9_-]+$/, 'may contain only letters, digits, _ and -'),
);
/** Where a memory lives: the caller's own (worker), or its team's (team). */
export const memoryScope = f.oneOf(['worker', 'team'] as const);
/** Which memory a search or list reads: the agent's own, the team's, or both. */
export const memoryReadScope = f.oneOf(['worker', 'team', 'all'] as const);
export const expectedVersion = f.int(0, f.MAX_SERIAL_ID);

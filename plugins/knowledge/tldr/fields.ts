import * as v from 'valibot';
import { f } from '../../../core/index.js';

/** The seed's limits (zod in routes/tldr.ts), and a bound on batch reads it lacked. */
export const TLDR_LIMITS = {
  path: 1000,
  contentHash: 64,
  summary: 10_000,
  batch: 500,
  rootFiles: 20,
  description: 5000,
  structureChars: 50_000,
} as const;

const strings = (max: number, itemMax: number, unit: string) =>
  v.optional(f.list(f.text({ max: itemMax }), { max, of: 'strings', unit }));

export const filePath = f.text({ min: 1, max: TLDR_LIMITS.path });
export const contentHash = f.text({ min: 1, max: TLDR_LIMITS.contentHash });
export const importType = f.oneOf(['static', 'dynamic', 'type-only'] as const);

export const summaryEntries = {
  filePath,
  contentHash,
  summary: f.text({ min: 1, max: TLDR_LIMITS.summary }),
  exports: strings(100, 200, 'exports'),
  imports: strings(100, 500, 'imports'),
  dependencies: strings(100, 500, 'dependencies'),
  lineCount: v.optional(f.int(0, f.MAX_SERIAL_ID)),
  language: v.optional(f.text({ max: 50 })),
};

export const codebaseEntries = {
  rootPath: f.text({ min: 1, max: TLDR_LIMITS.path }),
  name: f.text({ min: 1, max: 200 }),
  description: v.optional(f.text({ max: TLDR_LIMITS.description })),
  structure: v.optional(f.jsonObject({ maxChars: TLDR_LIMITS.structureChars })),
  keyFiles: strings(50, 500, 'files'),
  patterns: strings(20, 100, 'patterns'),
  techStack: strings(50, 100, 'items'),
};

export const filePaths = f.list(filePath, { max: TLDR_LIMITS.batch, of: 'file paths', unit: 'paths' });
export const rootFiles = v.pipe(
  f.list(filePath, { max: TLDR_LIMITS.rootFiles, of: 'file paths', unit: 'files' }),
  v.minLength(1, 'must list at least 1 file'),
);

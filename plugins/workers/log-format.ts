import { readFileSync } from 'node:fs';
import { workerFiles } from '../../core/index.js';
import type { WorkerRow } from './worker-store.js';

/**
 * How a worker's log is written: its spawn spec says (stream-json `ndjson` unless `text`); an external
 * worker has no spec and pushes text.
 */
export function logFormat(row: WorkerRow): 'ndjson' | 'text' {
  try {
    const spec = JSON.parse(readFileSync(workerFiles(row.dir).spec, 'utf8')) as { format?: string };
    return spec.format === 'text' ? 'text' : 'ndjson';
  } catch {
    return 'text';
  }
}

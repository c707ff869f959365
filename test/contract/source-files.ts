import { readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The root of this checkout. */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/[\\/]$/, '');

/** Folders no check reads: dependencies, build output, native build trees. */
const SKIPPED = new Set(['node_modules', 'dist', 'target', '.git', '.fleet']);

/** Every file under `dir` (absolute), recursively, sorted, skipping dependency and build folders. */
export function filesUnder(dir: string): string[] {
  const files: string[] = [];
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        if (!SKIPPED.has(entry.name)) walk(join(at, entry.name));
      } else if (entry.isFile()) {
        files.push(join(at, entry.name));
      }
    }
  };
  walk(dir);
  return files.sort();
}

/** A path from the repository root, with forward slashes, for messages. */
export function shown(file: string): string {
  return relative(REPO_ROOT, file).split(sep).join('/');
}

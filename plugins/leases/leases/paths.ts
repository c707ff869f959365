import path from 'node:path';
import { leaseErrors as errors } from '../errors.js';

const MAX_PATH = 1000;

/**
 * A lease pattern as stored: repo-relative, `/`-separated, no `./`, no trailing slash; the whole
 * repository (`.`) becomes `**`. `..` that leaves the repository, a negation (`!x`) or an empty
 * pattern is 400 naming `paths[i]`. Absolute paths are made relative by the caller (it knows the repo).
 */
export function normalizePattern(raw: string, field: string): string {
  const bad = (reason: string) => errors.LEASES_BAD_PATH({ field, reason }, { field });
  if (raw.length === 0) throw bad('is required');
  if (raw.length > MAX_PATH) throw bad(`must be at most ${MAX_PATH} characters`);
  if (raw.includes('\0')) throw bad('must not contain a NUL character');
  if (raw.startsWith('!')) throw bad('a lease names what it covers: negated patterns are not allowed');
  const posix = raw.replaceAll('\\', '/');
  if (posix.startsWith('/')) throw bad('must be relative to the repository (or an absolute path inside it)');
  const normal = path.posix.normalize(posix).replace(/\/+$/, '');
  if (normal === '..' || normal.startsWith('../')) throw bad('must stay inside the repository');
  if (normal === '.' || normal === '') return '**';
  return normal.startsWith('./') ? normal.slice(2) : normal;
}

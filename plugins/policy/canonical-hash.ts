import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every level: the same input always has the same text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * What an approval is bound to: the tool, its exact input and the directory it runs in (a relative
 * path or `rm -rf build` means another thing elsewhere), so approving one call approves no other.
 */
export function toolCallHash(tool: string, input: Record<string, unknown>, cwd?: string): string {
  return createHash('sha256').update(canonicalJson({ tool, input, cwd })).digest('hex');
}

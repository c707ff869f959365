import picomatch from 'picomatch';

/**
 * When two lease patterns overlap, and what a pattern covers. A pattern is a repo-relative path or a
 * picomatch glob; it covers what it names or matches and everything under that (a directory lease
 * covers its files). Comparisons ignore case: a repository may live on a case-insensitive file
 * system, and when unsure we answer "overlap" (a refused lease is safer than two writers).
 */

const MATCH_OPTIONS = { dot: true, nocase: true } as const;
/** Brace expansions per pattern before we stop expanding and answer "overlaps everything". */
const MAX_EXPANSIONS = 64;
const MAX_MATCHERS = 2000;

const matchers = new Map<string, (path: string) => boolean>();

function matcher(glob: string): (path: string) => boolean {
  let match = matchers.get(glob);
  if (!match) {
    match = picomatch(glob, MATCH_OPTIONS);
    if (matchers.size >= MAX_MATCHERS) matchers.delete(matchers.keys().next().value!);
    matchers.set(glob, match);
  }
  return match;
}

/** Whether a pattern (or one segment of it) has glob syntax. */
export function isGlob(pattern: string): boolean {
  return /[*?[\]{}()!+@]/.test(pattern);
}

/** Whether `pattern` covers the repo-relative file or directory `relPath`. */
export function covers(pattern: string, relPath: string): boolean {
  const path = relPath.toLowerCase();
  if (pattern === '**') return true;
  if (!isGlob(pattern)) {
    const base = pattern.toLowerCase();
    return path === base || path.startsWith(`${base}/`);
  }
  const match = matcher(pattern);
  // The path itself, or a directory above it that the glob matches (then the path is under a match).
  if (match(path)) return true;
  for (let cut = path.lastIndexOf('/'); cut > 0; cut = path.lastIndexOf('/', cut - 1)) {
    if (match(path.slice(0, cut))) return true;
  }
  return false;
}

/** `{a,b}/x` → `a/x`, `b/x` (nested and repeated groups too); undefined past MAX_EXPANSIONS. */
export function expandBraces(pattern: string): string[] | undefined {
  const open = pattern.indexOf('{');
  if (open < 0) return [pattern];
  let depth = 0;
  let close = -1;
  const cuts: number[] = [];
  for (let i = open; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '{') depth++;
    else if (ch === '}' && --depth === 0) {
      close = i;
      break;
    } else if (ch === ',' && depth === 1) cuts.push(i);
  }
  // An unbalanced brace or one without a comma is literal to us; "unsure" still compares safely.
  if (close < 0 || cuts.length === 0) return [pattern];
  const head = pattern.slice(0, open);
  const tail = pattern.slice(close + 1);
  const bounds = [open, ...cuts, close];
  const out: string[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const expanded = expandBraces(head + pattern.slice(bounds[i]! + 1, bounds[i + 1]) + tail);
    if (!expanded) return undefined;
    out.push(...expanded);
    if (out.length > MAX_EXPANSIONS) return undefined;
  }
  return out;
}

/** The literal text before the first and after the last glob character of a segment. */
function literalEnds(segment: string): { prefix: string; suffix: string } {
  const first = segment.search(/[*?[\]{}()!+@]/);
  let last = -1;
  for (let i = segment.length - 1; i >= 0; i--)
    if ('*?[]{}()!+@'.includes(segment[i]!)) {
      last = i;
      break;
    }
  return { prefix: segment.slice(0, first), suffix: segment.slice(last + 1) };
}

/** Can one path segment match both? Exact for a literal; for two globs, their literal ends must agree. */
function segmentsMeet(a: string, b: string): boolean {
  if (a === b) return true;
  const globA = isGlob(a);
  const globB = isGlob(b);
  if (!globA && !globB) return false;
  if (globA && !globB) return matcher(a)(b);
  if (!globA && globB) return matcher(b)(a);
  if (/[()!+@]/.test(a + b)) return true; // extglobs: unsure, so yes
  const x = literalEnds(a);
  const y = literalEnds(b);
  const agree = (p: string, q: string, at: 'start' | 'end') =>
    at === 'start' ? p.startsWith(q) || q.startsWith(p) : p.endsWith(q) || q.endsWith(p);
  return agree(x.prefix, y.prefix, 'start') && agree(x.suffix, y.suffix, 'end');
}

/** Two brace-free patterns, segment by segment; a `**` anywhere before a mismatch: overlap (conservative). */
function expandedOverlap(a: string, b: string): boolean {
  const sa = a.split('/');
  const sb = b.split('/');
  const n = Math.min(sa.length, sb.length);
  for (let i = 0; i < n; i++) {
    if (sa[i]!.includes('**') || sb[i]!.includes('**')) return true;
    if (!segmentsMeet(sa[i]!, sb[i]!)) return false;
  }
  // Every shared segment can agree: the shorter one names (or matches) an ancestor of the longer's.
  return true;
}

/** Is some path covered by both patterns? Conservative: when unsure, true. */
export function patternsOverlap(a: string, b: string): boolean {
  const la = a.toLowerCase();
  const lb = b.toLowerCase();
  if (la === '**' || lb === '**' || la === lb) return true;
  const ea = expandBraces(la);
  const eb = expandBraces(lb);
  if (!ea || !eb) return true;
  return ea.some((x) => eb.some((y) => expandedOverlap(x, y)));
}

/** The patterns of `mine` that overlap some pattern of `theirs`. */
export function overlapping(mine: readonly string[], theirs: readonly string[]): string[] {
  return mine.filter((a) => theirs.some((b) => patternsOverlap(a, b)));
}

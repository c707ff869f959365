/** One hunk of a `git diff -U0`: the lines it removes and adds, and where (1-based, in the old file). */
export interface Hunk {
  oldStart: number;
  oldCount: number;
  newStart: number;
  newCount: number;
  removed: string[];
  added: string[];
}

/** One file of a diff: null paths for an added (old) or deleted (new) file. */
export interface FileDiff {
  oldPath: string | null;
  newPath: string | null;
  binary: boolean;
  hunks: Hunk[];
}

/** A path as git prints it: C-quoted when it holds special characters. */
function unquote(path: string): string {
  if (!path.startsWith('"')) return path;
  const bytes: number[] = [];
  const body = path.slice(1, -1);
  const simple: Record<string, number> = { n: 10, t: 9, r: 13, '"': 34, '\\': 92, a: 7, b: 8, f: 12, v: 11 };
  for (let i = 0; i < body.length; i++) {
    const char = body[i]!;
    if (char !== '\\') {
      bytes.push(...Buffer.from(char, 'utf8'));
      continue;
    }
    const next = body[i + 1] ?? '';
    if (/[0-7]/.test(next)) {
      bytes.push(parseInt(body.slice(i + 1, i + 4), 8));
      i += 3;
    } else {
      bytes.push(simple[next] ?? next.charCodeAt(0));
      i += 1;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** `a/x` or `b/x` → `x`; `/dev/null` → null. */
function side(path: string): string | null {
  const plain = unquote(path.trim());
  if (plain === '/dev/null') return null;
  return plain.replace(/^[ab]\//, '');
}

/** The two paths of `diff --git a/X b/Y` when no ---/+++ lines name them (a binary or mode-only change). */
function headerPaths(rest: string): [string, string] {
  if (rest.startsWith('"')) {
    const match = /^("(?:[^"\\]|\\.)*")\s+(.*)$/.exec(rest);
    if (match) return [side(match[1]!)!, side(match[2]!)!];
  }
  // Unquoted, same path on both sides (renames have their own lines): `a/<p> b/<p>`.
  const half = (rest.length - 1) / 2;
  return [side(rest.slice(0, half))!, side(rest.slice(half + 1))!];
}

/** Parse `git diff -U0 --src-prefix=a/ --dst-prefix=b/` output. */
export function parseDiff(text: string): FileDiff[] {
  const files: FileDiff[] = [];
  let file: FileDiff | undefined;
  let hunk: Hunk | undefined;
  let created = false;
  let deleted = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('diff --git ')) {
      const [oldPath, newPath] = headerPaths(line.slice('diff --git '.length));
      file = { oldPath, newPath, binary: false, hunks: [] };
      files.push(file);
      hunk = undefined;
      created = false;
      deleted = false;
      continue;
    }
    if (!file) continue;
    if (hunk) {
      if (line.startsWith('-')) {
        hunk.removed.push(line.slice(1));
        continue;
      }
      if (line.startsWith('+')) {
        hunk.added.push(line.slice(1));
        continue;
      }
      if (line.startsWith('\\')) continue;
    }
    const at = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/.exec(line);
    if (at) {
      hunk = {
        oldStart: Number(at[1]),
        oldCount: at[2] === undefined ? 1 : Number(at[2]),
        newStart: Number(at[3]),
        newCount: at[4] === undefined ? 1 : Number(at[4]),
        removed: [],
        added: [],
      };
      file.hunks.push(hunk);
      continue;
    }
    hunk = undefined;
    if (line.startsWith('new file mode')) created = true;
    else if (line.startsWith('deleted file mode')) deleted = true;
    else if (line.startsWith('rename from ')) file.oldPath = unquote(line.slice('rename from '.length));
    else if (line.startsWith('rename to ')) file.newPath = unquote(line.slice('rename to '.length));
    else if (line.startsWith('--- ')) file.oldPath = side(line.slice(4));
    else if (line.startsWith('+++ ')) file.newPath = side(line.slice(4));
    else if (line.startsWith('Binary files ')) file.binary = true;
    if (created) file.oldPath = null;
    if (deleted) file.newPath = null;
  }
  return files;
}

import { type FileDiff, type Hunk, parseDiff } from './diff-parse.js';
import { git } from './git.js';

/** A hunk of the branch, as the check reports it. */
export interface HunkRef {
  path: string;
  /** Where it was in the merge-base's file (1-based line; for an addition, the line it follows). */
  line: number;
  removed: number;
  added: number;
  /** The first changed line, as a hint for a person reading the report (at most 120 characters). */
  sample: string;
}

export interface HunkCheck {
  /** Hunks of the branch found in the result. */
  present: number;
  /** Hunks whose lines the target changed since the merge-base, and that are not in the result: reported. */
  superseded: HunkRef[];
  /** Hunks missing from the result with nothing to explain it: any one refuses the merge. */
  lost: HunkRef[];
}

export interface CheckCommits {
  /** The merge-base of the branch and the target. */
  base: string;
  /** The branch's tip (what the worker wrote). */
  branch: string;
  /** The target's tip the result was built on. */
  onto: string;
  /** The commit the target would move to (the rebased branch, or a resolution). */
  result: string;
}

const diffArgs = [
  'diff',
  '--no-color',
  '--no-ext-diff',
  '--no-textconv',
  '-M',
  '-U0',
  '--src-prefix=a/',
  '--dst-prefix=b/',
];

const keyOf = (hunk: Hunk) => JSON.stringify([hunk.removed, hunk.added]);

function refOf(path: string, hunk: Hunk): HunkRef {
  const first = hunk.added[0] ?? hunk.removed[0] ?? '';
  return {
    path,
    line: hunk.oldStart,
    removed: hunk.removed.length,
    added: hunk.added.length,
    sample: first.slice(0, 120),
  };
}

/** Whether `block` occurs in `lines` as consecutive lines; returns every start index. */
function starts(lines: readonly string[], block: readonly string[]): number[] {
  const found: number[] = [];
  if (block.length === 0) return found;
  for (let i = 0; i + block.length <= lines.length; i++) {
    let same = true;
    for (let j = 0; j < block.length && same; j++) same = lines[i + j] === block[j];
    if (same) found.push(i);
  }
  return found;
}

/** The old-file line range a hunk touches, as [first, last] (an insertion after line p touches p and p+1). */
function span(hunk: Hunk): [number, number] {
  return hunk.oldCount === 0 ? [hunk.oldStart, hunk.oldStart + 1] : [hunk.oldStart, hunk.oldStart + hunk.oldCount - 1];
}

const touches = (a: Hunk, b: Hunk) => {
  const [a1, a2] = span(a);
  const [b1, b2] = span(b);
  return a1 <= b2 && b1 <= a2;
};

/**
 * Is the hunk's change in the result by content, though the result's diff cut it otherwise? Its added
 * lines must be there next to a line that surrounded the hunk in the merge-base (so a lone `}` found
 * anywhere does not count); a pure deletion is there when the lines around it are now neighbours.
 */
function presentByContent(hunk: Hunk, baseLines: readonly string[], result: readonly string[]): boolean {
  const before = hunk.oldCount === 0 ? hunk.oldStart - 1 : hunk.oldStart - 2; // 0-based index of the line above
  const after = hunk.oldCount === 0 ? hunk.oldStart : hunk.oldStart - 1 + hunk.oldCount; // the line below
  const above = before >= 0 ? baseLines[before] : undefined;
  const below = after < baseLines.length ? baseLines[after] : undefined;
  if (hunk.added.length > 0) {
    return starts(result, hunk.added).some((at) => {
      const up = at === 0 ? above === undefined : result[at - 1] === above;
      const end = at + hunk.added.length;
      const down = end === result.length ? below === undefined : result[end] === below;
      return up || down;
    });
  }
  if (above === undefined && below === undefined) return result.length === 0;
  if (above === undefined) return result[0] === below && starts(result, hunk.removed).every((at) => at !== 0);
  if (below === undefined) return result[result.length - 1] === above;
  return starts(result, [above, below]).length > 0;
}

async function fileLines(repo: string, timeout: number, commit: string, path: string): Promise<string[] | undefined> {
  try {
    const text = await git(repo, timeout, 'show', `${commit}:${path}`);
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    return lines;
  } catch {
    return undefined;
  }
}

async function blobOf(repo: string, timeout: number, commit: string, path: string): Promise<string | undefined> {
  try {
    return (await git(repo, timeout, 'rev-parse', '--verify', '--quiet', `${commit}:${path}`)).trim();
  } catch {
    return undefined;
  }
}

/**
 * The lost-hunk check: every hunk the branch changed against its merge-base must be in the result, or
 * be superseded (the target changed those lines since: reported, not silent); anything else is lost.
 * A hunk is in the result when the result's diff against the target carries it unchanged, or when its
 * lines are there by content beside their old neighbours (the target made the same change, or the diff
 * cut it otherwise). Binary files, deletions and mode-only changes compare whole files.
 */
export async function checkHunks(repo: string, commits: CheckCommits, timeoutSeconds = 120): Promise<HunkCheck> {
  const diff = (from: string, to: string) => git(repo, timeoutSeconds, ...diffArgs, from, to).then(parseDiff);
  const [branchDiff, landedDiff, targetDiff] = await Promise.all([
    diff(commits.base, commits.branch),
    diff(commits.onto, commits.result),
    diff(commits.base, commits.onto),
  ]);
  const landed = new Map<string, string[]>();
  for (const file of landedDiff) {
    const keys = landed.get(file.newPath ?? `\0${file.oldPath}`) ?? [];
    keys.push(...file.hunks.map(keyOf));
    landed.set(file.newPath ?? `\0${file.oldPath}`, keys);
  }
  const targetFiles = new Map<string, FileDiff>();
  for (const file of targetDiff) if (file.oldPath !== null) targetFiles.set(file.oldPath, file);
  const report: HunkCheck = { present: 0, superseded: [], lost: [] };
  for (const file of branchDiff) {
    const path = file.newPath ?? file.oldPath ?? '';
    const target = file.oldPath === null ? undefined : targetFiles.get(file.oldPath);
    const targetGone = target !== undefined && target.newPath === null;
    const whole = { path, line: 1, removed: 0, added: 0, sample: '(the whole file)' };
    if (file.newPath === null) {
      // The branch deleted the file: it must be gone from the result.
      const still = await blobOf(repo, timeoutSeconds, commits.result, file.oldPath!);
      if (still === undefined) report.present++;
      else if (target !== undefined) report.superseded.push({ ...whole, sample: '(deleted by the branch)' });
      else report.lost.push({ ...whole, sample: '(deleted by the branch)' });
      continue;
    }
    if (file.binary || file.hunks.length === 0) {
      const wanted = await blobOf(repo, timeoutSeconds, commits.branch, file.newPath);
      const got = await blobOf(repo, timeoutSeconds, commits.result, file.newPath);
      if (wanted === got) report.present++;
      else if (target !== undefined) report.superseded.push(whole);
      else report.lost.push(whole);
      continue;
    }
    const result = await fileLines(repo, timeoutSeconds, commits.result, file.newPath);
    const baseLines =
      file.oldPath === null ? [] : ((await fileLines(repo, timeoutSeconds, commits.base, file.oldPath)) ?? []);
    const landedKeys = landed.get(file.newPath) ?? [];
    for (const hunk of file.hunks) {
      const key = keyOf(hunk);
      const at = landedKeys.indexOf(key);
      if (at >= 0) {
        landedKeys.splice(at, 1);
        report.present++;
      } else if (result !== undefined && presentByContent(hunk, baseLines, result)) {
        report.present++;
      } else if (targetGone || (target?.hunks ?? []).some((other) => touches(hunk, other))) {
        report.superseded.push(refOf(path, hunk));
      } else {
        report.lost.push(refOf(path, hunk));
      }
    }
  }
  return report;
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { filesUnder, REPO_ROOT, shown } from './source-files.js';

/** The widest a source line may be: what fits a side-by-side diff and a review comment. */
export const MAX_WIDTH = 120;

/** The sources the rule covers, by folder and file-name ending. */
const SOURCES: readonly { dir: string; endings: readonly string[] }[] = [
  { dir: 'core', endings: ['.ts'] },
  { dir: 'plugins', endings: ['.ts'] },
  { dir: 'test', endings: ['.ts'] },
  { dir: 'scripts', endings: ['.ts', '.mjs'] },
];

function sourceFiles(): string[] {
  const files = SOURCES.flatMap(({ dir, endings }) => {
    return filesUnder(join(REPO_ROOT, dir)).filter((file) => endings.some((end) => file.endsWith(end)));
  });
  // bin/* is every file directly in bin/, whatever its name (the `fleet` launcher).
  const bin = filesUnder(join(REPO_ROOT, 'bin')).filter((file) => !shown(file).slice('bin/'.length).includes('/'));
  return [...files, ...bin];
}

/** `line (width)` for each line of `text` wider than the limit; width in characters, not UTF-16 units. */
function wideLines(text: string): string[] {
  return text.split(/\r?\n/).flatMap((line, index) => {
    const width = [...line].length;
    return width > MAX_WIDTH ? [`${index + 1} (${width})`] : [];
  });
}

t.test(`no source line is longer than ${MAX_WIDTH} characters`, async (t) => {
  let offenders = 0;
  for (const file of sourceFiles()) {
    const wide = wideLines(readFileSync(file, 'utf8'));
    if (wide.length === 0) continue;
    offenders += wide.length;
    // One assertion per file, listing its lines, keeps the report readable when many lines are long.
    const where = wide.map((line) => `${shown(file)}:${line}`).join(', ');
    t.fail(`${wide.length} line(s) over ${MAX_WIDTH}: ${where}`);
  }
  if (offenders === 0) t.pass('every line fits');
  else t.comment(`${offenders} line(s) over ${MAX_WIDTH} characters`);
});

/** Overlap and cover of lease patterns: a table of tricky pairs, each checked both ways round. */
import t from 'tap';
import { covers, expandBraces, patternsOverlap } from './overlap.js';

const pairs: [a: string, b: string, overlap: boolean][] = [
  ['src', 'src/a.ts', true], // a directory covers its files
  ['src', 'src', true],
  ['src', 'srcx/a.ts', false], // a prefix of a name is not a parent
  ['src/a.ts', 'src/b.ts', false],
  ['src/**', 'src/x/y.ts', true],
  ['src/**', 'docs/x.md', false],
  ['src/*.ts', 'src/lib/a.ts', false], // * stays within one segment
  ['src/*.ts', 'src/a.ts', true],
  ['src/*.ts', 'src', true], // the directory lease covers what the glob matches
  ['src/*.ts', 'src/*.md', false],
  ['src/*.ts', 'src/a*', true],
  ['src/*', 'src/lib/a.ts', true], // src/* matches the directory src/lib, which covers its files
  ['**/*.md', 'docs/a.md', true],
  ['**/*.md', '*.md', true],
  ['{a,b}/*.ts', 'b/x.ts', true],
  ['{a,b}/*.ts', 'c/x.ts', false],
  ['{a,{b,c}}/x', 'c/x', true],
  ['src/a?.ts', 'src/ab.ts', true],
  ['src/a?.ts', 'src/abc.ts', false],
  ['src/[ab].ts', 'src/b.ts', true],
  ['src/[ab].ts', 'src/c.ts', false],
  ['SRC/A.ts', 'src/a.ts', true], // case: a repo may sit on a case-insensitive file system
  ['Src/**', 'src/x.ts', true],
  ['src/@(a|b).ts', 'src/c.ts', false], // extglob against a literal: picomatch decides
  ['src/@(a|b).ts', 'src/*.ts', true], // extglob against a glob: unsure, so they overlap
  ['**', 'anything/at/all', true],
  ['docs', 'docs/**/*.md', true],
  ['a/b/c', 'a/*/d', false],
  ['a/b/c', 'a/*/c', true],
];

t.test('overlap: a table of tricky pairs, symmetric', async (t) => {
  for (const [a, b, expected] of pairs) {
    t.equal(patternsOverlap(a, b), expected, `${a} vs ${b}`);
    t.equal(patternsOverlap(b, a), expected, `${b} vs ${a}`);
  }
});

t.test('covers: a pattern covers what it names or matches and everything under it', async (t) => {
  const cases: [pattern: string, path: string, covered: boolean][] = [
    ['src', 'src/a.ts', true],
    ['src', 'src', true],
    ['src', 'srcx', false],
    ['src/**', 'src/x/y.ts', true],
    ['src/*.ts', 'src/a.ts', true],
    ['src/*.ts', 'src/lib/a.ts', false],
    ['docs/*', 'docs/guide/a.md', true],
    ['**/*.md', 'docs/a.md', true],
    ['**/*.md', 'docs/a.ts', false],
    ['{a,b}/*.ts', 'b/x.ts', true],
    ['src/a?.ts', 'src/ab.ts', true],
    ['SRC/A.TS', 'src/a.ts', true],
    ['**', 'x', true],
    ['.github/**', '.github/workflows/ci.yml', true], // dot files are files like the others
  ];
  for (const [pattern, path, covered] of cases) t.equal(covers(pattern, path), covered, `${pattern} covers ${path}`);
});

t.test('brace expansion is bounded: too many expansions answer undefined (then: overlap)', async (t) => {
  t.same(expandBraces('{a,b}/{c,d}'), ['a/c', 'a/d', 'b/c', 'b/d']);
  t.same(expandBraces('no-braces'), ['no-braces']);
  const huge = '{a,b,c,d}{e,f,g,h}{i,j,k,l}{m,n}/x';
  t.equal(expandBraces(huge), undefined);
  t.equal(patternsOverlap(huge, 'zzz/y'), true, 'unsure: overlap');
});

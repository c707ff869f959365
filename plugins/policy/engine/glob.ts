/**
 * Path globs. picomatch decides what a glob means (globstars, braces, ranges, POSIX classes);
 * RE2 runs it. picomatch's own matcher is a backtracking RegExp: `*a*a*a*a*a*a*a*a*a*b` against
 * forty `a`s takes seconds there. Its regex source is therefore taken (`makeRe`), stripped of
 * the lookaheads that only exclude `.`/`..` segments (paths are normalised before matching, so
 * none reach it) and compiled with RE2, which matches in linear time.
 */
import picomatch from 'picomatch';
import { RE2JS } from 're2js';
import { isInside } from './paths.js';
import { PolicyRuleError } from './types.js';

const OPTIONS: picomatch.PicomatchOptions = { dot: true, nonegate: true, noextglob: true };
const DOT_SEGMENT_GUARDS = ['(?!(?:^|\\/)\\.{1,2}(?:\\/|$))', '(?!\\.{1,2}(?:\\/|$))', '(?=.)'];
const MAX_GLOB = 1000;

export interface CompiledGlob {
  readonly source: string;
  /** Does the absolute (or, with no cwd known, relative) normalised path match? */
  matches(path: string, bases: { home?: string; root?: string }): boolean;
}

function toRe2(glob: string): RE2JS {
  let source: string;
  try {
    source = picomatch.makeRe(glob, OPTIONS).source;
  } catch (error) {
    throw new PolicyRuleError('pattern', `invalid glob: ${(error as Error).message}`);
  }
  for (const guard of DOT_SEGMENT_GUARDS) source = source.split(guard).join('');
  if (/\(\?[=!<]/.test(source))
    throw new PolicyRuleError('pattern', 'this glob needs a lookaround, which is not supported');
  try {
    return RE2JS.compile(source);
  } catch (error) {
    throw new PolicyRuleError('pattern', `invalid glob: ${(error as Error).message}`);
  }
}

/**
 * Compile a path glob. `/…` is absolute; `~/…` and `$HOME/…` are under the call's home; `**\/…`
 * matches at any depth of any absolute path (`**\/.env` is every .env file); anything else is
 * relative to the worker's worktree (or its cwd when it has none).
 */
export function compileGlob(glob: string): CompiledGlob {
  if (glob.length > MAX_GLOB) throw new PolicyRuleError('pattern', `glob must be at most ${MAX_GLOB} characters`);
  if (/[@!?*+]\(/.test(glob)) throw new PolicyRuleError('pattern', 'extglobs such as !(…) are not supported; use re:');
  const home = /^(?:~|\$HOME|\$\{HOME\})(\/.*)?$/.exec(glob);
  if (home) {
    const rest = (home[1] ?? '').replace(/^\/+/, '');
    const regex = rest === '' ? undefined : toRe2(rest);
    return {
      source: glob,
      matches(path, bases) {
        if (bases.home === undefined || !path.startsWith('/')) return false;
        const homeDir = bases.home.length > 1 ? bases.home.replace(/\/+$/, '') : bases.home;
        if (!isInside(path, homeDir)) return false;
        if (regex === undefined) return path === homeDir;
        return path !== homeDir && regex.test(path.slice(homeDir === '/' ? 1 : homeDir.length + 1));
      },
    };
  }
  // `**/.env` means "a .env file anywhere", the way people write it (and .gitignore reads it): a
  // block rule that only looked inside the worktree would miss ~/other/.env.
  if (glob.startsWith('**/')) {
    const anywhere = toRe2(`/${glob}`);
    const relative = toRe2(glob);
    return { source: glob, matches: (path) => (path.startsWith('/') ? anywhere : relative).test(path) };
  }
  if (glob.startsWith('/')) {
    const regex = toRe2(glob);
    return { source: glob, matches: (path) => regex.test(path) };
  }
  const regex = toRe2(glob.replace(/^\.\//, ''));
  return {
    source: glob,
    matches(path, bases) {
      if (!path.startsWith('/')) return regex.test(path);
      if (bases.root === undefined || !isInside(path, bases.root) || path === bases.root) return false;
      return regex.test(path.slice(bases.root === '/' ? 1 : bases.root.length + 1));
    },
  };
}

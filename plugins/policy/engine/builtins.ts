/**
 * The built-in rule set a lead can switch on. Each is an ordinary PolicyRule whose pattern is
 * `builtin:<key>`: instead of a regex or a glob it names one of the conditions below, which look
 * at the parsed command (argv, pipelines, the directory a `cd` moved to, the worker's worktree)
 * rather than at text. They run through the same evaluate as every other rule, so the plugin can
 * store them as rows, change their decision or priority, or turn single ones off.
 */
import { compileGlob } from './glob.js';
import { isInside, resolvePath, workingDirectory } from './paths.js';
import { feeds, type CommandPart } from './shell-split.js';
import type { CallSubjects, Subject } from './subjects.js';
import type { PolicyRule } from './types.js';
import { commandName, interpreterProgram, scanOptions, shellInvocation, SHELLS, stdinProgram } from './unwrap.js';

/** A built-in condition: the text it matched in this subject, or undefined. */
export type BuiltinCondition = (subject: Subject, context: CallSubjects) => string | undefined;

export interface BuiltinRule extends PolicyRule {
  /** One sentence on what it catches (for the rules list and the README). */
  readonly description: string;
}

// --- rm -rf / --------------------------------------------------------------------------------

/** Top-level directories whose recursive removal is as bad as `/`. */
const SYSTEM_DIRS = new Set([
  '/bin',
  '/boot',
  '/dev',
  '/etc',
  '/home',
  '/lib',
  '/lib64',
  '/opt',
  '/proc',
  '/root',
  '/sbin',
  '/srv',
  '/sys',
  '/usr',
  '/var',
  '/Users',
  '/System',
  '/Library',
  '/Applications',
]);

function isRootish(arg: string, part: CommandPart, context: CallSubjects): boolean {
  if (arg === '') return false;
  const call = context.call;
  let path = resolvePath(arg, { cwd: call.cwd, home: call.home, dir: part.dir });
  if (!path.startsWith('/')) return false;
  // `/*`, `~/.*`, `$HOME/**`: everything in the directory.
  while (/\/(?:\.?\*+|\.\[!.\]\*|\{\*,\.\*\})$/.test(path)) path = path.replace(/\/[^/]*$/, '') || '/';
  const home = call.home === undefined ? '/~' : resolvePath(call.home, {});
  if (path === '/' || path === home || path === '/~' || SYSTEM_DIRS.has(path)) return true;
  // `/u*`, `/[a-z]*`: a glob over the top level.
  return /^\/[^/]*[*?[][^/]*$/.test(path);
}

const rmRfRoot: BuiltinCondition = (subject, context) => {
  const part = subject.part;
  if (!part || part.kind !== 'command') return undefined;
  const name = commandName(part.argv[0]);
  if (name === 'rm') {
    let recursive = false;
    let noPreserve = false;
    let options = true;
    const operands: string[] = [];
    for (const arg of part.argv.slice(1)) {
      if (options && arg === '--') options = false;
      else if (options && arg.startsWith('--')) {
        if (arg === '--recursive') recursive = true;
        if (arg === '--no-preserve-root') noPreserve = true;
      } else if (options && arg.startsWith('-') && arg.length > 1) {
        if (/[rR]/.test(arg)) recursive = true;
      } else operands.push(arg);
    }
    if (noPreserve || (recursive && operands.some((operand) => isRootish(operand, part, context)))) return part.text;
    return undefined;
  }
  if (name === 'find' && part.argv.includes('-delete')) {
    const starts: string[] = [];
    for (const arg of part.argv.slice(1)) {
      if (arg.startsWith('-') || arg === '(' || arg === '!') break;
      starts.push(arg);
    }
    if (starts.some((start) => isRootish(start, part, context))) return part.text;
  }
  return undefined;
};

// --- git ---------------------------------------------------------------------------------------

interface GitInvocation {
  subcommand: string;
  args: string[];
  /** `-C dir` values in order. */
  chdirs: string[];
  gitDir?: string;
  workTree?: string;
}

function gitInvocation(part: CommandPart): GitInvocation | undefined {
  if (part.kind !== 'command' || commandName(part.argv[0]) !== 'git') return undefined;
  const argv = part.argv;
  const chdirs: string[] = [];
  let gitDir: string | undefined;
  let workTree: string | undefined;
  for (const assignment of part.assignments) {
    if (assignment.startsWith('GIT_DIR=')) gitDir = assignment.slice(8);
    if (assignment.startsWith('GIT_WORK_TREE=')) workTree = assignment.slice(14);
  }
  for (let j = 1; j < argv.length; j++) {
    const arg = argv[j]!;
    if (arg === '-C') chdirs.push(argv[++j] ?? '');
    else if (arg === '-c' || arg === '--namespace' || arg === '--exec-path' || arg === '--config-env') j++;
    else if (arg === '--git-dir') gitDir = argv[++j] ?? '';
    else if (arg === '--work-tree') workTree = argv[++j] ?? '';
    else if (arg.startsWith('--git-dir=')) gitDir = arg.slice(10);
    else if (arg.startsWith('--work-tree=')) workTree = arg.slice(12);
    else if (arg.startsWith('-')) continue;
    else return { subcommand: arg, args: argv.slice(j + 1), chdirs, gitDir, workTree };
  }
  return undefined;
}

const PROTECTED_BRANCH = /^(?:refs\/heads\/)?(?:main|master|release\/.+|HEAD|@)$/;

/** The destination branch of a push refspec (`+src:dst`, `:dst` deletes, `dst` alone). */
function refspecDestination(refspec: string): string {
  const spec = refspec.replace(/^\+/, '');
  const colon = spec.lastIndexOf(':');
  return colon >= 0 ? spec.slice(colon + 1) || spec.slice(0, colon) : spec;
}

function isProtectedDestination(destination: string, dynamic: boolean): boolean {
  return dynamic || PROTECTED_BRANCH.test(destination) || /[*?[]/.test(destination) || destination.includes('$');
}

const gitForcePushProtected: BuiltinCondition = (subject) => {
  const part = subject.part;
  const git = part && gitInvocation(part);
  if (!part || !git || git.subcommand !== 'push') return undefined;
  let force = false;
  let remove = false;
  let everything = false;
  const operands: string[] = [];
  let options = true;
  for (let j = 0; j < git.args.length; j++) {
    const arg = git.args[j]!;
    if (options && arg === '--') options = false;
    else if (options && arg.startsWith('--')) {
      if (arg === '--force' || arg.startsWith('--force-with-lease') || arg === '--force-if-includes') force = true;
      else if (arg === '--mirror') force = everything = true;
      else if (arg === '--all' || arg === '--branches' || arg === '--tags') everything = true;
      else if (arg === '--delete') remove = true;
      else if (['--repo', '--receive-pack', '--exec', '--push-option'].includes(arg)) j++;
    } else if (options && arg.startsWith('-') && arg.length > 1) {
      if (arg.includes('f')) force = true;
      if (arg.includes('d')) remove = true;
      if (arg.includes('o') && arg.endsWith('o')) j++;
    } else operands.push(arg);
  }
  const refspecs = operands.slice(1);
  const dynamicRefs = part.argvDynamic.slice(part.argv.length - git.args.length).some((dynamic) => dynamic);
  if (force && (refspecs.length === 0 || everything)) return part.text;
  for (const refspec of refspecs) {
    const forced = force || refspec.startsWith('+');
    const deletes = remove || /^\+?:/.test(refspec);
    if ((forced || deletes) && isProtectedDestination(refspecDestination(refspec), dynamicRefs)) return part.text;
  }
  return undefined;
};

const gitResetHardOutsideWorktree: BuiltinCondition = (subject, context) => {
  const part = subject.part;
  const git = part && gitInvocation(part);
  if (!part || !git || git.subcommand !== 'reset' || !git.args.includes('--hard')) return undefined;
  const call = context.call;
  if (call.worktree === undefined) return part.text;
  const worktree = resolvePath(call.worktree, { home: call.home });
  let dir = workingDirectory({ cwd: call.cwd, home: call.home, dir: part.dir });
  for (const chdir of git.chdirs) {
    if (dir === undefined) break;
    dir = resolvePath(chdir, { cwd: dir, home: call.home });
  }
  const target = git.workTree ?? git.gitDir;
  if (target !== undefined && dir !== undefined) dir = resolvePath(target, { cwd: dir, home: call.home });
  if (dir === undefined || !dir.startsWith('/') || !isInside(dir, worktree)) return part.text;
  return undefined;
};

// --- secrets -----------------------------------------------------------------------------------

const ENV_EXAMPLE = /\.(?:example|sample|template|dist|defaults?|schema|tmpl)$/;

function isEnvName(name: string): boolean {
  return name === '.env' || (name.startsWith('.env.') && !ENV_EXAMPLE.test(name));
}

/** `~/.ssh` (any `.ssh` directory, and what is in it) or a `.env` / `.env.*` file. */
export function isSecretPath(path: string): boolean {
  const segments = path.split('/');
  return segments.includes('.ssh') || isEnvName(segments[segments.length - 1] ?? '');
}

/**
 * Could a shell glob name a secret? With dotglob off (bash's default) only a segment that starts
 * with a literal `.` matches a dot file, so `cat *` is fine and `cat .e*` is not.
 */
function globNamesSecret(path: string): boolean {
  const segments = path.split('/');
  return segments.some((segment, index) => {
    if (!segment.startsWith('.') || !/[*?[]/.test(segment)) return false;
    let glob;
    try {
      glob = compileGlob(`/${segment}`);
    } catch {
      return true;
    }
    if (glob.matches('/.ssh', {})) return true;
    return (
      index === segments.length - 1 &&
      ['/.env', '/.env.local', '/.env.production'].some((name) => glob.matches(name, {}))
    );
  });
}

/** Commands that take a path without reading the file's content. */
const METADATA_ONLY = new Set([
  'ls',
  'stat',
  'touch',
  'rm',
  'rmdir',
  'mkdir',
  'chmod',
  'chown',
  'chgrp',
  'test',
  '[',
  '[[',
  'file',
  'wc',
  'du',
  'realpath',
  'readlink',
  'basename',
  'dirname',
  'echo',
  'printf',
  'cd',
  'pushd',
  'which',
  'type',
]);
/** Commands whose last operand is where they write (the file read is before it). */
const COPIERS = new Set(['cp', 'mv', 'ln', 'install']);

function secretCandidates(part: CommandPart): string[] {
  const out: string[] = [];
  const name = commandName(part.argv[0]);
  const fromCode = part.via === 'code-string';
  if (!METADATA_ONLY.has(name) || fromCode) {
    const operands: string[] = [];
    let options = true;
    for (let j = fromCode ? 0 : 1; j < part.argv.length; j++) {
      const arg = part.argv[j]!;
      if (options && arg === '--') options = false;
      else if (options && arg === '--env-file') j++;
      else if (options && arg.startsWith('--env-file=')) continue;
      else if (options && arg.startsWith('-') && arg.length > 1) {
        const eq = arg.indexOf('=');
        if (eq > 0) out.push(arg.slice(eq + 1).replace(/^@/, ''));
        else if (/^-[A-Za-z]@?\S/.test(arg) && arg.length > 2) out.push(arg.slice(2).replace(/^@/, ''));
      } else {
        const assignment = /^[A-Za-z_][A-Za-z0-9_-]*=@?(.+)$/.exec(arg);
        if (assignment) out.push(assignment[1]!);
        operands.push(arg.replace(/^@/, ''));
      }
    }
    if (COPIERS.has(name) && operands.length > 1) operands.pop();
    out.push(...operands);
  }
  for (const redirect of part.redirects) if (redirect.op === '<' || redirect.op === '<>') out.push(redirect.target);
  return out;
}

/**
 * Claude Code's Grep runs ripgrep with --hidden: its glob's `*` and braces reach dot files
 * (`*.env`, `{.env,x}`), and a search of home or above it reads ~/.ssh.
 */
function grepReadsSecret(path: string, home: string | undefined): boolean {
  if (isInside(`${home ?? '/~'}/.ssh`, path)) return true;
  const last = path.slice(path.lastIndexOf('/') + 1);
  if (!/[*?[{]/.test(last)) return false;
  let glob;
  try {
    glob = compileGlob(`/${last}`);
  } catch {
    return true;
  }
  return ['/.env', '/.env.local', '/.env.production', '/.ssh'].some((name) => glob.matches(name, {}));
}

const readSecrets: BuiltinCondition = (subject, context) => {
  if (subject.kind === 'path') {
    if (isSecretPath(subject.text) || globNamesSecret(subject.text)) return subject.text;
    return context.call.tool === 'Grep' && grepReadsSecret(subject.text, context.call.home) ? subject.text : undefined;
  }
  const part = subject.part;
  if (!part || part.kind !== 'command') return undefined;
  const call = context.call;
  for (const candidate of secretCandidates(part)) {
    if (candidate === '' || candidate.length > 4096) continue;
    const path = resolvePath(candidate, { cwd: call.cwd, home: call.home, dir: part.dir });
    if (isSecretPath(path) || isSecretPath(candidate) || globNamesSecret(path)) return part.text;
  }
  return undefined;
};

// --- curl | sh ---------------------------------------------------------------------------------

const DOWNLOADERS = new Set(['curl', 'wget', 'fetch', 'http', 'https', 'xh', 'aria2c', 'lwp-request', 'lynx']);

function isDownloader(part: CommandPart): boolean {
  return part.kind === 'command' && DOWNLOADERS.has(commandName(part.argv[0]));
}

/** Does this command run a program given to it as an argument (where a substitution can put one)? */
function runsArgumentProgram(part: CommandPart): boolean {
  if (part.kind !== 'command') return false;
  const name = commandName(part.argv[0]);
  if (SHELLS.has(name) || name === 'eval' || name === 'source' || name === '.') return true;
  const program = interpreterProgram(part.argv);
  if (!program) return false;
  const dynamic = (text: string | undefined) => text !== undefined && /\$\(|`|^<\(/.test(text);
  return dynamic(program.code) || dynamic(program.script);
}

/** The file a downloader writes, if it names one. */
function downloadTarget(part: CommandPart): string | undefined {
  const name = commandName(part.argv[0]);
  const options =
    name === 'wget' ? scanOptions(part.argv, 1, 'OoaePtTwQUBi') : scanOptions(part.argv, 1, 'oduHXAbcCeEFkmrTwxYyz');
  const file =
    name === 'wget'
      ? (options.values.get('O') ?? options.longs.get('output-document'))
      : (options.values.get('o') ?? options.longs.get('output'));
  if (typeof file === 'string' && file !== '-') return file;
  const redirect = part.redirects.find((r) => r.op === '>' || r.op === '>>' || r.op === '>|');
  return redirect?.target;
}

/** The file a command runs as a program: `sh f`, `bash f`, `python f`, `source f`, `./f`. */
function executedFile(part: CommandPart): string | undefined {
  if (part.kind !== 'command') return undefined;
  const name = commandName(part.argv[0]);
  if (SHELLS.has(name)) return shellInvocation(part.argv).script;
  if (name === 'source' || name === '.') return part.argv[1];
  const program = interpreterProgram(part.argv);
  if (program) return program.script;
  return part.argv[0];
}

const curlPipeShell: BuiltinCondition = (subject, context) => {
  const part = subject.part;
  const parts = context.split?.parts;
  if (!part || !parts || part.kind !== 'command') return undefined;
  if (runsArgumentProgram(part) && part.nested.some(isDownloader)) return part.text;
  if (!isDownloader(part)) return undefined;
  for (const other of parts) {
    if (other !== part && stdinProgram(other) !== undefined && feeds(part, other))
      return `${part.text} | ${other.text}`;
  }
  const target = downloadTarget(part);
  if (target === undefined) return undefined;
  const call = context.call;
  const written = resolvePath(target, { cwd: call.cwd, home: call.home, dir: part.dir });
  const index = parts.indexOf(part);
  for (const later of parts.slice(index + 1)) {
    const file = executedFile(later);
    if (file === undefined || later.argv.length === 0) continue;
    if (file === target || resolvePath(file, { cwd: call.cwd, home: call.home, dir: later.dir }) === written)
      return `${part.text} … ${later.text}`;
  }
  return undefined;
};

// --- the set -----------------------------------------------------------------------------------

/** Conditions by key: a rule whose pattern is `builtin:<key>` uses one. */
export const BUILTIN_CONDITIONS: Readonly<Record<string, BuiltinCondition>> = {
  'rm-rf-root': rmRfRoot,
  'git-force-push-protected': gitForcePushProtected,
  'git-reset-hard-outside-worktree': gitResetHardOutsideWorktree,
  'read-secrets': readSecrets,
  'curl-pipe-shell': curlPipeShell,
};

function builtin(key: string, tool: string, reason: string, description: string): BuiltinRule {
  const name = `builtin-${key}`;
  return {
    id: name,
    name,
    decision: 'block',
    tool,
    pattern: `builtin:${key}`,
    reason,
    priority: 1000,
    enabled: true,
    twoPerson: false,
    description,
  };
}

/** The built-in rules (all `block`, priority 1000). */
export const BUILTIN_RULES: readonly BuiltinRule[] = [
  builtin(
    'rm-rf-root',
    'Bash',
    'Blocked: this recursively deletes / , your home directory or a system directory. ' +
      'Delete the specific path you mean (inside your worktree), e.g. rm -rf ./build.',
    'rm -r/-R/--recursive (with or without -f) of /, /*, ~, $HOME or a top-level system directory, ' +
      'rm --no-preserve-root, and find / -delete, wherever they hide in the command line.',
  ),
  builtin(
    'git-force-push-protected',
    'Bash',
    'Blocked: force-pushing to (or deleting) main, master or release/* rewrites shared history. ' +
      'Push your own branch (git push origin <your-branch>) and open a pull request; ' +
      'name the branch explicitly when you force-push.',
    'git push with --force, -f, --force-with-lease, --mirror or a +refspec to main, master or release/* ' +
      '(or with no branch named), and deleting those branches.',
  ),
  builtin(
    'git-reset-hard-outside-worktree',
    'Bash',
    'Blocked: git reset --hard outside your own worktree would destroy other work. ' +
      'Run it only inside your worktree, or use git stash / git restore on specific files.',
    "git reset --hard whose directory (cwd, cd, git -C, --work-tree) is not inside the worker's worktree " +
      '(every one when the worker has no worktree).',
  ),
  builtin(
    'read-secrets',
    'Read|Grep|NotebookRead|Bash',
    'Blocked: this reads a secret (~/.ssh or a .env file). Do not read credentials; ' +
      'ask the lead for the configuration value you need, or use a .env.example file.',
    'Read/Grep of ~/.ssh/** and .env / .env.* (not .env.example), and any Bash command that takes such a ' +
      'path (cat, less, cp, scp, base64, source, < redirections, globs like .e*) except ls/stat/rm-style ones.',
  ),
  builtin(
    'curl-pipe-shell',
    'Bash',
    'Blocked: this runs code downloaded from the network without review. ' +
      'Download the script to a file, read it, and ask the lead before running it.',
    'curl/wget piped into sh/bash/zsh/python/…, sh <(curl …), bash -c "$(curl …)", eval "$(curl …)", ' +
      'and downloading to a file that the same command line then runs.',
  ),
];

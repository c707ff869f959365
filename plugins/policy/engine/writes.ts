/**
 * The paths one tool call writes, for whoever must stop writes to some paths (the leases plugin's
 * gate): the file tools' paths; for Bash, every part the splitter finds (so `sudo`, `bash -c`,
 * `$( )`, pipes and here-documents are seen through) judged by what its command writes:
 * redirections, `tee`, `sed -i`/`perl -i`/`ruby -i`, `mv`/`cp`/`rm`/`touch`/`truncate`/`dd of=`/
 * `install`/`ln`…, `git checkout`/`restore`/`rm`/`mv`/`clean`/`apply`, `patch`, and interpreter
 * one-liners that open files for writing. A writing part that names a path this code cannot read
 * (`$VAR`, `$(…)`, xargs' input, `find -exec {}`, an archive's members, a path the code computes) makes
 * the answer `unknown`; the caller decides what an unknown write means (the lease gate denies it where
 * others hold leases). Pure: no I/O. Patches (`git apply x.diff`) are named for the caller to read.
 *
 * What is not seen: programs run from files (`python build.py`, `npm test`, `make`), since what they
 * write is in the file; those are for after-the-fact checks (a worktree's git status).
 */
import { posix } from 'node:path';
import { resolvePath } from './paths.js';
import { splitShell, type CommandPart } from './shell-split.js';
import type { ToolCall } from './types.js';
import { commandName } from './unwrap.js';

export interface WriteTargets {
  /**
   * What the call writes: absolute normalised paths (relative as written when the call has no cwd),
   * or globs (`/repo/src/*.ts`) for unquoted globs, which the caller matches against what it guards.
   */
  paths: string[];
  /** Patch files (`git apply`, `patch -i`): the paths written are named inside them. */
  patches: string[];
  /** Some writing part names a path that cannot be read here: the call may write anything. */
  unknown: boolean;
  /** Why it is unknown: one line per part that could not be judged. */
  reasons: string[];
}

/** The file tools that write, and the field naming the file. */
export const WRITE_TOOLS: Readonly<Record<string, string>> = {
  Edit: 'file_path',
  Write: 'file_path',
  MultiEdit: 'file_path',
  NotebookEdit: 'notebook_path',
};

interface Collector {
  out: WriteTargets;
  call: ToolCall;
}

/** The paths a call writes. Never throws. */
export function writeTargets(call: ToolCall): WriteTargets {
  const out: WriteTargets = { paths: [], patches: [], unknown: false, reasons: [] };
  const input = call.input !== null && typeof call.input === 'object' ? call.input : {};
  const field = WRITE_TOOLS[call.tool];
  if (field !== undefined) {
    const value = input[field];
    if (typeof value === 'string' && value !== '') out.paths.push(resolvePath(value, call));
    else unknown({ out, call }, `${call.tool} without a ${field}`);
    return out;
  }
  if (call.tool !== 'Bash') return out;
  const command = input.command;
  if (typeof command !== 'string') {
    unknown({ out, call }, 'Bash without a command');
    return out;
  }
  const collector = { out, call };
  // A NUL byte: bash reading a script drops it, `bash -c` stops at it; both readings are judged.
  const lines = command.includes('\0')
    ? [command.replace(/\0/g, ''), command.slice(0, command.indexOf('\0'))]
    : [command];
  for (const line of lines) {
    const split = splitShell(line);
    for (const part of split.parts) judgePart(collector, part);
    if (!split.parsed && /[>]|\b(?:tee|sed|perl|mv|cp|rm|dd|git|patch|install|ln|touch|truncate)\b|-[ce]\b/.test(line))
      unknown(collector, `a line the splitter could not read completely: ${split.errors[0] ?? ''}`);
  }
  out.paths = [...new Set(out.paths)];
  out.patches = [...new Set(out.patches)];
  return out;
}

function unknown(collector: Collector, why: string): void {
  collector.out.unknown = true;
  if (collector.out.reasons.length < 20) collector.out.reasons.push(why);
}

/** Redirections that open their target for writing. */
const WRITE_REDIRECTS = new Set(['>', '>>', '&>', '&>>', '>|', '<>', '>&']);
/** Targets that are not files in a repository. */
const NOT_FILES = /^\/(?:dev\/(?:null|stdout|stderr|tty|fd\/\d+)|proc\/self\/fd\/\d+)$/;
/** Text the shell would expand at run time: the path cannot be known here. */
const EXPANDS = /[$`]|^~[^/]*$/;
const GLOB_CHARS = /[*?[]/;

function judgePart(collector: Collector, part: CommandPart): void {
  for (const redirect of part.redirects) {
    if (!WRITE_REDIRECTS.has(redirect.op)) continue;
    if ((redirect.op === '>&' || redirect.op === '<>') && /^[0-9-]+$/.test(redirect.target)) continue;
    addPath(collector, part, redirect.target, EXPANDS.test(redirect.target) && !isHomeOrPwd(redirect.target));
  }
  if (part.kind === 'code') {
    codeTargets(collector, part);
    return;
  }
  const name = commandName(part.argv[0]);
  if (part.dynamic && part.via !== 'code-string') {
    // `$CMD file`: what runs is not known, so neither is what it writes.
    unknown(collector, `a command whose name is not literal: ${part.text.slice(0, 80)}`);
    return;
  }
  const writer = WRITERS[name];
  if (writer === undefined) return;
  if (part.via === 'xargs' || part.argv.some((arg, j) => j > 0 && arg === '{}' && part.via === 'find-exec')) {
    unknown(collector, `${name} given its files by ${part.via === 'xargs' ? 'xargs' : 'find -exec'}`);
    return;
  }
  writer(collector, part, name);
}

function isHomeOrPwd(word: string): boolean {
  return /^(?:~|\$HOME|\$\{HOME\}|\$PWD)(?:\/[^$`]*)?$/.test(word);
}

/** Add one written path of a part: resolved against the part's directory (a `cd` before it). */
function addPath(collector: Collector, part: CommandPart, raw: string, dynamic: boolean, base?: string): void {
  if (raw === '' || raw === '-') return;
  if (dynamic) {
    unknown(collector, `${commandName(part.argv[0]) || 'a redirection'} writes ${raw.slice(0, 80)}`);
    return;
  }
  if (part.dir === null && !raw.startsWith('/') && !raw.startsWith('~')) {
    unknown(collector, `a path after a cd to an unknown directory: ${raw.slice(0, 80)}`);
    return;
  }
  const { cwd, home } = collector.call;
  const dir =
    base === undefined ? part.dir : base.startsWith('/') || part.dir == null ? base : posix.join(part.dir, base);
  const path = resolvePath(raw, { cwd, home, dir });
  if (NOT_FILES.test(path)) return;
  collector.out.paths.push(path);
}

/** An operand of argv: its text, whether it expands at run time (a glob is kept: the caller matches it). */
function operandDynamic(part: CommandPart, index: number): boolean {
  const arg = part.argv[index]!;
  if (!part.argvDynamic[index]) return false;
  if (isHomeOrPwd(arg)) return false;
  // An unquoted glob with nothing else to expand is kept as a glob.
  return EXPANDS.test(arg) || !GLOB_CHARS.test(arg);
}

interface Operands {
  /** Indices into argv of the operands. */
  indices: number[];
  /** Option values by option (`-t` → dir, `--target-directory` → dir). */
  values: Map<string, string>;
  /** Every option letter or long name seen. */
  flags: Set<string>;
}

/**
 * GNU-style: options anywhere until `--`. `valued` lists short letters and long names that take a
 * value (`-t DIR`, `--target-directory=DIR`).
 */
function operands(argv: readonly string[], start: number, valued: readonly string[] = []): Operands {
  const result: Operands = { indices: [], values: new Map(), flags: new Set() };
  let options = true;
  for (let j = start; j < argv.length; j++) {
    const arg = argv[j]!;
    if (options && arg === '--') {
      options = false;
      continue;
    }
    if (options && arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = arg.slice(2, eq < 0 ? undefined : eq);
      result.flags.add(name);
      if (eq >= 0) result.values.set(name, arg.slice(eq + 1));
      else if (valued.includes(name) && j + 1 < argv.length) result.values.set(name, argv[++j]!);
      continue;
    }
    if (options && arg.startsWith('-') && arg.length > 1) {
      for (let k = 1; k < arg.length; k++) {
        const letter = arg[k]!;
        result.flags.add(letter);
        if (valued.includes(letter)) {
          const attached = arg.slice(k + 1);
          if (attached !== '') result.values.set(letter, attached);
          else if (j + 1 < argv.length) result.values.set(letter, argv[++j]!);
          break;
        }
      }
      continue;
    }
    result.indices.push(j);
  }
  return result;
}

type Writer = (collector: Collector, part: CommandPart, name: string) => void;

/** Every operand is written (`rm`, `touch`, `tee`, editors). */
function allOperands(valued: readonly string[] = [], skipFirst = false): Writer {
  return (collector, part) => {
    const found = operands(part.argv, 1, valued);
    const indices = skipFirst ? found.indices.slice(1) : found.indices;
    for (const j of indices) addPath(collector, part, part.argv[j]!, operandDynamic(part, j));
  };
}

/**
 * `cp`/`mv`/`install`/`ln`/`rsync`: the destination (the last operand, or `-t DIR`) is written, and,
 * as it may be a directory, `DEST/<name>` of each source too; `mv` also removes its sources.
 */
function copyLike(removesSources: boolean): Writer {
  return (collector, part, name) => {
    const valued =
      name === 'install'
        ? ['t', 'target-directory', 'm', 'mode', 'o', 'owner', 'g', 'group', 'S', 'suffix']
        : ['t', 'target-directory', 'S', 'suffix'];
    const found = operands(part.argv, 1, name === 'rsync' ? ['e', 'rsh', 'f', 'filter', 'exclude', 'include'] : valued);
    const target = found.values.get('t') ?? found.values.get('target-directory');
    const indices = found.indices;
    if (name === 'install' && found.flags.has('d')) {
      for (const j of indices) addPath(collector, part, part.argv[j]!, operandDynamic(part, j));
      return;
    }
    let sources: number[];
    let dest: { raw: string; dynamic: boolean } | undefined;
    if (target !== undefined) {
      sources = indices;
      dest = { raw: target, dynamic: EXPANDS.test(target) };
    } else if (indices.length === 1 && name === 'ln') {
      // `ln -s /x/y` makes ./y.
      sources = indices;
      dest = { raw: '.', dynamic: false };
    } else {
      sources = indices.slice(0, -1);
      const last = indices[indices.length - 1];
      dest = last === undefined ? undefined : { raw: part.argv[last]!, dynamic: operandDynamic(part, last) };
    }
    if (dest === undefined) return;
    if (dest.raw !== '.') addPath(collector, part, dest.raw, dest.dynamic);
    for (const j of sources) {
      const source = part.argv[j]!;
      const dynamic = operandDynamic(part, j);
      if (removesSources) addPath(collector, part, source, dynamic);
      if (dynamic) unknown(collector, `${name} of ${source.slice(0, 80)} into ${dest.raw.slice(0, 80)}`);
      else if (!dest.dynamic) addPath(collector, part, posix.basename(source), false, dest.raw);
    }
  };
}

/** `sed -i`: the operands after the script (or every operand with `-e`/`-f`). */
const sedWriter: Writer = (collector, part) => {
  const found = operands(part.argv, 1, ['e', 'expression', 'f', 'file', 'l', 'line-length']);
  const inPlace = [...found.flags].some((flag) => flag === 'i' || flag.startsWith('in-place'));
  if (!inPlace && !part.argv.some((arg) => /^-[a-zA-Z]*i/.test(arg))) return;
  const scripted =
    found.values.has('e') || found.values.has('expression') || found.values.has('f') || found.values.has('file');
  for (const j of scripted ? found.indices : found.indices.slice(1))
    addPath(collector, part, part.argv[j]!, operandDynamic(part, j));
};

/** `perl -i`/`ruby -i` (`-pi -e '…' f`): the file operands after the program are edited in place. */
const inPlaceInterpreter: Writer = (collector, part) => {
  let inPlace = false;
  let program = false;
  const files: number[] = [];
  for (let j = 1; j < part.argv.length; j++) {
    const arg = part.argv[j]!;
    if (arg === '--') {
      files.push(...range(j + 1, part.argv.length));
      break;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      // -i takes an optional attached extension (-i.bak): the rest of the cluster is not options.
      const letters = arg.slice(1);
      const i = letters.indexOf('i');
      const e = letters.search(/[eE]/);
      if (i >= 0 && (e < 0 || i < e)) inPlace = true;
      if (e >= 0 && (i < 0 || e < i)) {
        program = true;
        j++;
      }
      continue;
    }
    if (!program) {
      program = true; // the script file
      continue;
    }
    files.push(j);
  }
  if (!inPlace) return;
  for (const j of files) addPath(collector, part, part.argv[j]!, operandDynamic(part, j));
};

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, k) => from + k);
}

/** `dd of=FILE`. */
const ddWriter: Writer = (collector, part) => {
  for (let j = 1; j < part.argv.length; j++) {
    const arg = part.argv[j]!;
    if (arg.startsWith('of=')) addPath(collector, part, arg.slice(3), EXPANDS.test(arg) && !isHomeOrPwd(arg.slice(3)));
  }
};

/** `truncate -s 0 f`, `touch -d … f`, `chmod 644 f`, `chown u f`: options with values are skipped. */
const truncateWriter = allOperands(['s', 'size', 'r', 'reference']);
const touchWriter = allOperands(['d', 'date', 't', 'r', 'reference']);
const modeWriter = (collector: Collector, part: CommandPart, name: string) =>
  allOperands(['reference'], !part.argv.some((arg) => arg.startsWith('--reference')))(collector, part, name);

/** `curl -o f`, `wget -O f`, `sort -o f`: the output option's value. */
function outputOption(letters: readonly string[], remoteName?: string): Writer {
  return (collector, part, name) => {
    const found = operands(part.argv, 1, letters);
    for (const letter of letters) {
      const value = found.values.get(letter);
      if (value !== undefined) addPath(collector, part, value, EXPANDS.test(value) && !isHomeOrPwd(value));
    }
    if (remoteName !== undefined && found.flags.has(remoteName))
      unknown(collector, `${name} -${remoteName} names its file after the URL`);
  };
}

/** `gawk -i inplace '…' f`: the files after the program are rewritten. */
const awkWriter: Writer = (collector, part) => {
  const found = operands(part.argv, 1, ['i', 'include', 'f', 'file', 'v', 'assign', 'F', 'field-separator']);
  if (found.values.get('i') !== 'inplace' && found.values.get('include') !== 'inplace') return;
  const files = found.values.has('f') || found.values.has('file') ? found.indices : found.indices.slice(1);
  for (const j of files) addPath(collector, part, part.argv[j]!, operandDynamic(part, j));
};

/** `find ROOT… -delete`: everything under its roots may go. */
const findWriter: Writer = (collector, part) => {
  if (!part.argv.includes('-delete')) return;
  let any = false;
  for (let j = 1; j < part.argv.length; j++) {
    const arg = part.argv[j]!;
    if (arg.startsWith('-') || arg === '(' || arg === '!') break;
    any = true;
    addPath(collector, part, arg, operandDynamic(part, j));
  }
  if (!any) addPath(collector, part, '.', false);
};

/** Archives and the like write files whose names are inside them. */
const extracts: Writer = (collector, part, name) => {
  if (name === 'tar' && !part.argv.slice(1).some((arg) => /^-?[A-Za-z]*x/.test(arg) || arg === '--extract')) return;
  unknown(collector, `${name} writes the files its archive names`);
};

/** `patch [file [patchfile]]`, `-i patchfile`, or the patch on stdin (`< x.diff`). */
const patchWriter: Writer = (collector, part) => {
  const found = operands(part.argv, 1, [
    'i',
    'input',
    'p',
    'strip',
    'd',
    'directory',
    'o',
    'output',
    'B',
    'F',
    'r',
    'z',
    'D',
    'V',
    'Y',
  ]);
  const input = found.values.get('i') ?? found.values.get('input');
  const output = found.values.get('o') ?? found.values.get('output');
  const [file, patchFile] = found.indices;
  if (file !== undefined) addPath(collector, part, part.argv[file]!, operandDynamic(part, file));
  if (output !== undefined) addPath(collector, part, output, EXPANDS.test(output));
  const source = input ?? (patchFile === undefined ? undefined : part.argv[patchFile]) ?? stdinFile(part);
  if (file !== undefined || output !== undefined) return;
  if (source === undefined || EXPANDS.test(source))
    unknown(collector, 'patch reads its patch from a pipe or a variable');
  else addPatch(collector, part, source, found.values.get('d') ?? found.values.get('directory'));
};

function stdinFile(part: CommandPart): string | undefined {
  return part.redirects.find((redirect) => redirect.op === '<')?.target;
}

function addPatch(collector: Collector, part: CommandPart, raw: string, dir?: string): void {
  if (part.dir === null && !raw.startsWith('/')) {
    unknown(collector, `a patch after a cd to an unknown directory: ${raw.slice(0, 80)}`);
    return;
  }
  const { cwd, home } = collector.call;
  collector.out.patches.push(resolvePath(raw, { cwd, home, dir: part.dir }));
  // The patch's paths are relative to where it is applied.
  if (dir !== undefined) collector.out.reasons.push(`patch applied in ${dir}`);
}

/** git's subcommands that write files of the working tree. */
const gitWriter: Writer = (collector, part) => {
  // Global options: `-C dir` moves where paths resolve; `-c k=v` and `--git-dir=` are skipped.
  let j = 1;
  let base: string | undefined;
  for (; j < part.argv.length; j++) {
    const arg = part.argv[j]!;
    if (arg === '-C' || arg === '-c' || arg === '--git-dir' || arg === '--work-tree' || arg === '--namespace') {
      if (arg === '-C') base = base === undefined ? part.argv[j + 1] : posix.join(base, part.argv[j + 1] ?? '');
      j++;
      continue;
    }
    if (arg.startsWith('--work-tree=')) base = arg.slice('--work-tree='.length);
    if (!arg.startsWith('-')) break;
  }
  const sub = part.argv[j];
  if (sub === undefined) return;
  if (base !== undefined && EXPANDS.test(base)) {
    unknown(collector, `git -C ${base.slice(0, 80)}`);
    return;
  }
  const rest = part.argv.slice(j);
  const at = (k: number) => ({ raw: rest[k]!, dynamic: operandDynamic(part, j + k) });
  const add = (k: number) => {
    const { raw, dynamic } = at(k);
    addPath(collector, part, raw, dynamic, base);
  };
  switch (sub) {
    case 'checkout':
    case 'restore': {
      const found = operands(rest, 1, ['s', 'source', 'b', 'B', 'orphan', 'conflict', 'pathspec-from-file']);
      if (found.flags.has('pathspec-from-file')) unknown(collector, `git ${sub} --pathspec-from-file`);
      const dashdash = rest.indexOf('--');
      if (sub === 'checkout' && (found.flags.has('b') || found.flags.has('B') || found.flags.has('orphan'))) return;
      // `git checkout -- f`, `git checkout main -- f`, `git restore f`; `git checkout x` (a branch or a
      // file): its operands are taken as paths, which costs nothing when x is a branch.
      const paths = dashdash >= 0 ? found.indices.filter((k) => k > dashdash) : found.indices;
      for (const k of paths) add(k);
      return;
    }
    case 'rm':
    case 'mv': {
      const found = operands(rest, 1, ['pathspec-from-file']);
      for (const k of found.indices) add(k);
      return;
    }
    case 'clean': {
      const found = operands(rest, 1, ['e', 'exclude']);
      if (found.indices.length === 0) addPath(collector, part, '.', false, base);
      for (const k of found.indices) add(k);
      return;
    }
    case 'apply':
    case 'am': {
      const found = operands(rest, 1, [
        'p',
        'C',
        'exclude',
        'include',
        'directory',
        'whitespace',
        'build-fake-ancestor',
      ]);
      if (
        found.flags.has('stat') ||
        found.flags.has('numstat') ||
        found.flags.has('summary') ||
        found.flags.has('check')
      ) {
        if (!found.flags.has('apply')) return;
      }
      const files = found.indices.map((k) => rest[k]!);
      const stdin = stdinFile(part);
      if (files.length === 0 && stdin !== undefined) files.push(stdin);
      if (files.length === 0) unknown(collector, `git ${sub} reads its patch from a pipe`);
      for (const file of files) {
        if (EXPANDS.test(file)) unknown(collector, `git ${sub} ${file.slice(0, 80)}`);
        else addPatch(collector, part, base === undefined ? file : posix.join(base, file));
      }
      return;
    }
    default:
      return;
  }
};

const WRITERS: Readonly<Record<string, Writer>> = {
  tee: allOperands(),
  rm: allOperands(),
  rmdir: allOperands(),
  unlink: allOperands(),
  shred: allOperands(['n', 'iterations', 's', 'size', 'random-source']),
  touch: touchWriter,
  truncate: truncateWriter,
  chmod: modeWriter,
  chown: modeWriter,
  chgrp: modeWriter,
  mkfifo: allOperands(['m', 'mode']),
  mv: copyLike(true),
  cp: copyLike(false),
  install: copyLike(false),
  ln: copyLike(false),
  link: copyLike(false),
  rsync: copyLike(false),
  sed: sedWriter,
  gsed: sedWriter,
  perl: inPlaceInterpreter,
  ruby: inPlaceInterpreter,
  dd: ddWriter,
  git: gitWriter,
  patch: patchWriter,
  curl: outputOption(['o', 'output'], 'O'),
  wget: outputOption(['O', 'output-document']),
  sort: outputOption(['o', 'output']),
  awk: awkWriter,
  find: findWriter,
  gawk: awkWriter,
  tar: extracts,
  unzip: extracts,
  cpio: extracts,
  '7z': extracts,
  vi: allOperands(['c', 'S']),
  vim: allOperands(['c', 'S']),
  nvim: allOperands(['c', 'S']),
  nano: allOperands(),
  emacs: allOperands(),
  ed: allOperands(['p']),
  ex: allOperands(['c', 'S']),
};

// --- Interpreter code --------------------------------------------------------------------------------

/** A string literal: '…', "…" (escapes kept simple: a backslash escapes the next character). */
const STR = String.raw`(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")`;
const literal = (match: RegExpExecArray, at: number): string | undefined => match[at] ?? match[at + 1];

/** `open('f', 'w')`, `File.open("f", "a")`, `fopen('f','w')`, `io.open('f','w')`, `openSync('f','w')`. */
const OPEN_CALL = new RegExp(
  String.raw`\b(?:open|fopen|openSync|open_file|io\.open|codecs\.open)\s*\(\s*(?:${STR}|([^,)]+))\s*,\s*` +
    String.raw`(?:mode\s*=\s*)?${STR}`,
  'g',
);
/** Calls whose first argument is a file they write, remove or rename. */
const WRITE_FIRST = new RegExp(
  String.raw`\b(?:writeFileSync|writeFile|appendFileSync|appendFile|createWriteStream|rmSync|rmdirSync|unlinkSync|` +
    String.raw`truncateSync|renameSync|copyFileSync|cpSync|symlinkSync|linkSync|chmodSync|utimesSync|` +
    String.raw`writeTextFile|writeFile|Bun\.write|file_put_contents|remove|unlink|rmtree|rename|replace|` +
    String.raw`truncate|move|copy|copy2|copyfile|copytree|symlink|mkfifo|write|delete|rm|rm_f|rm_rf|mv|cp|` +
    String.raw`touch|chmod|utime|makedirs)\s*\(\s*(?:${STR}|([^,)\s][^,)]*))`,
  'g',
);
/** `Path('f').write_text(…)` and the like. */
const PATH_METHOD = new RegExp(
  String.raw`\bPath\s*\(\s*(?:${STR}|([^)]*))\s*\)\s*\.\s*` +
    String.raw`(?:write_text|write_bytes|touch|unlink|rmdir|rename|replace|chmod|open\s*\(\s*${STR})`,
  'g',
);
/** Perl: `open(my $f, '>', 'f')`, `open F, ">f"`, `open(F, ">>$x")`. */
const PERL_OPEN = new RegExp(
  String.raw`\bopen\s*\(?\s*(?:my\s+)?[$\w:]+\s*,\s*(?:['"]\s*(\+?>>?|\+<)\s*['"]\s*,\s*(?:${STR}|([^,);]+))|` +
    String.raw`['"]\s*(\+?>>?|\+<)\s*([^'"]*)['"])`,
  'g',
);
/** awk: `print > "f"`, `print >> "f"`. */
const AWK_REDIRECT = new RegExp(String.raw`(?:print|printf)[^;}]*?>>?\s*(?:${STR}|([A-Za-z_$][\w$]*))`, 'g');
/** Programs that start a command the code builds (not a literal, or a list holding a non-literal). */
const DYNAMIC_COMMAND = new RegExp(
  String.raw`\b(?:subprocess\.(?:run|call|check_call|check_output|Popen)|os\.(?:system|popen|exec\w*|spawn\w*)|` +
    String.raw`child_process\.\w+|execSync|execFileSync|execFile|exec|spawnSync|spawn|system|popen|Open3\.\w+)` +
    String.raw`\s*\(\s*(?:(?!['"[])|\[(?:\s*${STR}\s*,)*\s*[^'"\s\]])`,
);
/** What looks like writing, renaming or removing a file (when no literal path was found: unknown). */
const WRITE_WORDS = new RegExp(
  String.raw`\b(?:(?:os|shutil|fs|fsp|File|FileUtils|IO|Deno|Bun|pathlib|Files)\s*\.\s*(?:write\w*|append\w*|` +
    String.raw`unlink\w*|remove\w*|rm\w*|rename\w*|replace|truncate\w*|move|copy\w*|cp\w*|mkfifo|delete|symlink\w*|` +
    String.raw`chmod\w*|utime\w*|create\w*|open\w*)|write_text|write_bytes|writeFile\w*|appendFile\w*|` +
    String.raw`createWriteStream|unlink|rmtree|file_put_contents|fwrite|fputs|syswrite)\b`,
);

function codeTargets(collector: Collector, part: CommandPart): void {
  const code = part.argv[0] ?? '';
  if (code.length > 100_000) {
    unknown(collector, `${part.language ?? 'interpreter'} code too long to read`);
    return;
  }
  const language = part.language ?? '';
  let found = 0;
  let opaque = false;
  const take = (raw: string | undefined, expression: string | undefined) => {
    if (raw !== undefined) {
      if (/[$#{]/.test(raw) && /\$\{|#\{|\$\w/.test(raw)) opaque = true;
      else {
        addPath(collector, part, unescapeCode(raw), false);
        found++;
      }
    } else if (expression !== undefined) opaque = true;
  };
  if (language === 'awk' || language === 'gawk' || language === 'mawk') {
    for (const match of code.matchAll(AWK_REDIRECT)) take(literal(match, 1), match[3]);
    if (opaque) unknown(collector, `awk prints into a file it computes: ${code.slice(0, 80)}`);
    return;
  }
  const perl = language === 'perl' || language === 'perl5';
  for (const match of perl ? [] : code.matchAll(OPEN_CALL)) {
    const mode = literal(match, 4) ?? '';
    if (/[wax+]/.test(mode)) take(literal(match, 1), match[3]);
  }
  for (const match of code.matchAll(WRITE_FIRST)) {
    const name = /\b([\w.]+)\s*\(/.exec(match[0])?.[1] ?? '';
    // str.replace('a', 'b'), list.remove(x), print(x), io.write: look like writes, are not.
    if (
      /^(?:replace|remove|write|copy|delete|move)$/.test(name.split('.').pop() ?? '') &&
      !isFileCall(match[0], code, match.index ?? 0)
    )
      continue;
    // Copies and links write their second argument; renames both.
    const base = name.split('.').pop() ?? '';
    const copies = /^(?:copy\w*|cp|cpSync|symlink\w*|link\w*)$/i.test(base);
    const renames = /^(?:rename\w*|move|mv|replace)$/.test(base);
    if (!copies) take(literal(match, 1), match[3]);
    if (copies || renames) {
      const end = (match.index ?? 0) + match[0].length;
      const second = new RegExp(String.raw`^\s*,\s*(?:${STR}|([^,)\s][^,)]*))`).exec(code.slice(end, end + 400));
      if (second) take(literal(second, 1), second[3]);
      else opaque = true;
    }
  }
  for (const match of code.matchAll(PATH_METHOD)) {
    if (match[0].includes('open') && !/[wax+]/.test(literal(match, 4) ?? '')) continue;
    take(literal(match, 1), match[3]);
  }
  if (perl) {
    for (const match of code.matchAll(PERL_OPEN)) {
      if (match[5] !== undefined) take(match[6] || undefined, match[6] ? undefined : 'dynamic');
      else take(literal(match, 2), match[4]);
    }
  }
  if (opaque) unknown(collector, `${language} code writes a file it names at run time: ${code.slice(0, 80)}`);
  else if (found === 0 && WRITE_WORDS.test(code.replace(/\b(?:sys\.|process\.)?(?:stdout|stderr)\.write\b/g, '')))
    unknown(collector, `${language} code that may write files: ${code.slice(0, 80)}`);
  if (DYNAMIC_COMMAND.test(code)) unknown(collector, `${language} code runs a command it builds: ${code.slice(0, 80)}`);
}

/** Calls named like string or list methods are file calls only on a file module (`os.`, `shutil.`, `fs.`…). */
function isFileCall(text: string, code: string, index: number): boolean {
  const before = code.slice(Math.max(0, index - 20), index + text.indexOf('('));
  return /\b(?:os|shutil|fs|fsp|File|FileUtils|Files|Deno|Bun|pathlib|io|path|fs\.promises)\s*\.\s*\w+$/.test(before);
}

function unescapeCode(text: string): string {
  return text.replace(/\\(.)/g, '$1');
}

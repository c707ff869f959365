/**
 * What a simple command really runs: `sudo`/`env`/`timeout`/`xargs`/… prefixes, `bash -c` and
 * `eval` strings, `find -exec`, `ssh host cmd`, and interpreter one-liners (`python -c`, `node -e`,
 * `perl -e`, …). Each layer becomes a part of its own, so `sudo rm -rf /` yields both
 * `sudo rm -rf /` and `rm -rf /`: a block rule on either catches it, and an allow rule must cover
 * both for the call to be allowed.
 */
import { compileGlob } from './glob.js';
import {
  parseShellString,
  partText,
  type CommandPart,
  type MutablePart,
  type PartVia,
  type SplitState,
} from './shell-split.js';

export const SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'mksh', 'ash', 'fish', 'yash', 'csh', 'tcsh']);

/** The command's base name: `/usr/bin/rm` → `rm`. */
export function commandName(word: string | undefined): string {
  if (word === undefined) return '';
  const slash = word.lastIndexOf('/');
  return slash >= 0 ? word.slice(slash + 1) : word;
}

interface Options {
  /** Index of the first operand (argv.length when none). */
  operand: number;
  /** Short option letters seen. */
  shorts: Set<string>;
  /** Long options seen (without `--`), with their value when they took one. */
  longs: Map<string, string | true>;
  /** Values of short options that take one (the last one given). */
  values: Map<string, string>;
}

/**
 * getopt-style scan from `start`: clusters (`-rf`), attached values (`-uroot`, `--user=root`),
 * `--` ending the options. `short` lists the letters that take a value; `long` the long names.
 */
export function scanOptions(
  argv: readonly string[],
  start: number,
  short: string,
  long: readonly string[] = [],
): Options {
  const options: Options = { operand: argv.length, shorts: new Set(), longs: new Map(), values: new Map() };
  for (let j = start; j < argv.length; j++) {
    const arg = argv[j]!;
    if (arg === '--') {
      options.operand = j + 1;
      return options;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = arg.slice(2, eq < 0 ? undefined : eq);
      if (eq >= 0) options.longs.set(name, arg.slice(eq + 1));
      else if (long.includes(name) && j + 1 < argv.length) options.longs.set(name, argv[++j]!);
      else options.longs.set(name, true);
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      for (let k = 1; k < arg.length; k++) {
        const letter = arg[k]!;
        options.shorts.add(letter);
        if (short.includes(letter)) {
          const attached = arg.slice(k + 1);
          if (attached !== '') options.values.set(letter, attached);
          else if (j + 1 < argv.length) options.values.set(letter, argv[++j]!);
          break;
        }
      }
      continue;
    }
    options.operand = j;
    return options;
  }
  return options;
}

/** Builtins that set shell variables from their input or arguments (printf -v is handled apart). */
const ASSIGNS_VARIABLE = new Set(['read', 'mapfile', 'readarray']);

/** Commands a glob in command position is tested against, riskiest first. */
const GLOB_GUESSES = [
  'rm',
  'bash',
  'sh',
  'zsh',
  'dash',
  'curl',
  'wget',
  'git',
  'find',
  'python3',
  'python',
  'perl',
  'node',
  'ruby',
  'eval',
  'sudo',
  'env',
  'xargs',
  'cat',
];

function guessGlobCommand(name: string): string | undefined {
  let glob;
  try {
    glob = compileGlob(`/${name}`);
  } catch {
    return undefined;
  }
  return GLOB_GUESSES.find((candidate) => glob.matches(`/${candidate}`, {}));
}

interface Wrapper {
  short: string;
  long?: readonly string[];
  /** Operands before the command (timeout's duration, chroot's directory). */
  skip?: number;
  /** Short options that mean "no command runs" (`command -v`, `sudo -l`). */
  noCommand?: string;
  via?: PartVia;
}

const WRAPPERS: Record<string, Wrapper> = {
  sudo: {
    short: 'ugCDhprtUTR',
    long: ['user', 'group', 'close-from', 'chdir', 'host', 'prompt', 'role', 'type', 'other-user', 'chroot'],
    noCommand: 'elvVK',
  },
  doas: { short: 'uC' },
  pkexec: { short: '', long: ['user'] },
  nohup: { short: '' },
  setsid: { short: '' },
  nice: { short: 'n', long: ['adjustment'] },
  ionice: { short: 'cnt', noCommand: 'pPu' },
  timeout: { short: 'sk', long: ['signal', 'kill-after'], skip: 1 },
  stdbuf: { short: 'ioe', long: ['input', 'output', 'error'] },
  chrt: { short: '', skip: 1, noCommand: 'p' },
  taskset: { short: '', skip: 1, noCommand: 'p' },
  chroot: { short: '', long: ['userspec', 'groups'], skip: 1 },
  unbuffer: { short: '' },
  caffeinate: { short: 'tw' },
  exec: { short: 'a' },
  command: { short: '', noCommand: 'vV' },
  builtin: { short: '' },
  time: { short: 'fo', long: ['format', 'output'] },
  busybox: { short: '' },
  toybox: { short: '' },
  strace: { short: 'abeEIoOpPsSuUX', noCommand: 'p' },
  ltrace: { short: 'aAbDeEIlLnopsSuwx', noCommand: 'p' },
  xargs: {
    short: 'adEILnPs',
    long: ['arg-file', 'delimiter', 'eof', 'replace', 'max-lines', 'max-args', 'max-procs', 'max-chars'],
    via: 'xargs',
  },
};

/**
 * Emit the parts a simple command runs beyond itself; returns the innermost command (the one
 * whose stdin a here-document feeds).
 */
export function unwrapCommand(part: MutablePart, state: SplitState, depth: number): MutablePart {
  let current = part;
  for (let round = 0; round < 32 && current.kind === 'command' && current.argv.length > 0; round++) {
    const next = unwrapOnce(current, state, depth);
    if (!next) break;
    current = next;
  }
  return current;
}

function derive(
  from: MutablePart,
  state: SplitState,
  argv: string[],
  argvDynamic: boolean[],
  via: PartVia,
  change: { dir?: string; assignments?: string[] } = {},
): MutablePart {
  const assignments = change.assignments ?? from.assignments;
  const part: MutablePart = {
    ...from,
    text: partText(assignments, argv, from.redirects),
    argv,
    argvDynamic,
    assignments,
    via,
    depth: from.depth + 1,
    dir: change.dir ?? from.dir,
    dynamic: argvDynamic[0] ?? false,
    nested: [],
  };
  state.parts.push(part);
  return part;
}

function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./=:@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

function parseString(from: MutablePart, state: SplitState, depth: number, source: string, via: PartVia): void {
  parseShellString(source, state, {
    depth: depth + 1,
    via,
    dir: from.dir,
    pipes: from.pipes,
    judgeOnly: from.judgeOnly,
  });
}

function unwrapOnce(part: MutablePart, state: SplitState, depth: number): MutablePart | undefined {
  const argv = part.argv;
  const dyn = part.argvDynamic;
  const first = argv[0]!;
  const name = commandName(first);
  if (dyn[0] && /[*?[]/.test(name) && !/[$`]/.test(name)) {
    // `/bin/r? -rf /`: a glob as the command name; judge it as the riskiest command it could be.
    const guess = guessGlobCommand(name);
    if (guess) return derive(part, state, [guess, ...argv.slice(1)], [...dyn], 'path');
  }
  if (name !== first && name !== '') {
    // `/bin/rm` and `./node_modules/.bin/x`: judged under their base name as well.
    return derive(part, state, [name, ...argv.slice(1)], [...dyn], 'path');
  }
  const rest = (from: number, via: PartVia = 'wrapper', change?: { dir?: string; assignments?: string[] }) =>
    from < argv.length ? derive(part, state, argv.slice(from), dyn.slice(from), via, change) : undefined;

  if (name === 'env') return unwrapEnv(part, state, depth);
  if (name === 'sudo' || name === 'doas') {
    const options = scanOptions(argv, 1, WRAPPERS[name]!.short, WRAPPERS[name]!.long);
    if ([...'elvVK'].some((letter) => name === 'sudo' && options.shorts.has(letter))) return undefined;
    const dir = options.values.get('D') ?? (options.longs.get('chdir') as string | undefined);
    if (options.shorts.has('s') || options.shorts.has('i')) {
      // `sudo -s cmd` runs cmd through a shell; `sudo -i` alone is a shell reading stdin.
      if (options.operand >= argv.length) return derive(part, state, ['sh'], [false], 'wrapper', { dir });
      parseString(part, state, depth, argv.slice(options.operand).join(' '), 'shell-string');
      return undefined;
    }
    return rest(options.operand, 'wrapper', { dir });
  }
  if (SHELLS.has(name)) {
    const shell = shellInvocation(argv);
    if (shell.command !== undefined) parseString(part, state, depth, shell.command, 'shell-string');
    return undefined;
  }
  if (name === 'eval') {
    if (argv.length > 1) parseString(part, state, depth, argv.slice(1).join(' '), 'eval');
    return undefined;
  }
  if (name === 'su' || name === 'runuser') {
    // su takes its options after the user name too: look for -c anywhere.
    for (let j = 1; j < argv.length; j++) {
      const arg = argv[j]!;
      if (arg === '-c' || arg === '--command') parseString(part, state, depth, argv[++j] ?? '', 'shell-string');
      else if (arg.startsWith('--command=')) parseString(part, state, depth, arg.slice(10), 'shell-string');
      else if (/^-[^-]*c/.test(arg)) parseString(part, state, depth, argv[++j] ?? '', 'shell-string');
    }
    return undefined;
  }
  if (name === 'watch') {
    const options = scanOptions(argv, 1, 'nq', ['interval', 'equexit']);
    if (options.operand >= argv.length) return undefined;
    if (options.shorts.has('x') || options.longs.has('exec')) return rest(options.operand);
    parseString(part, state, depth, argv.slice(options.operand).join(' '), 'shell-string');
    return undefined;
  }
  if (name === 'flock') {
    const options = scanOptions(argv, 1, 'wEc', ['timeout', 'conflict-exit-code', 'command']);
    const command = options.values.get('c') ?? options.longs.get('command');
    if (typeof command === 'string') {
      parseString(part, state, depth, command, 'shell-string');
      return undefined;
    }
    const after = scanOptions(argv, options.operand + 1, 'wEc', ['timeout', 'conflict-exit-code', 'command']);
    const afterCommand = after.values.get('c') ?? after.longs.get('command');
    if (typeof afterCommand === 'string') {
      parseString(part, state, depth, afterCommand, 'shell-string');
      return undefined;
    }
    return rest(after.operand);
  }
  if (name === 'ssh') {
    const options = scanOptions(argv, 1, 'BbcDEeFIiJLlmOoPpQRSWw');
    if (options.operand + 1 < argv.length)
      parseString(part, state, depth, argv.slice(options.operand + 1).join(' '), 'remote');
    return undefined;
  }
  if (name === 'find') {
    for (let j = 1; j < argv.length; j++) {
      if (!['-exec', '-execdir', '-ok', '-okdir'].includes(argv[j]!)) continue;
      let end = j + 1;
      while (end < argv.length && argv[end] !== ';' && argv[end] !== '+') end++;
      if (end > j + 1)
        unwrapCommand(derive(part, state, argv.slice(j + 1, end), dyn.slice(j + 1, end), 'find-exec'), state, depth);
      j = end;
    }
    return undefined;
  }
  if (name === 'trap') {
    // `trap 'cmd' EXIT`: the string runs later in this same shell.
    const operand = argv[1] === '--' ? 2 : 1;
    const action = argv[operand];
    if (action !== undefined && action !== '-' && !/^-[lp]+$/.test(action))
      parseString(part, state, depth, action, 'eval');
    return undefined;
  }
  if (name === 'coproc') return rest(1, 'wrapper');
  if (name === 'script') {
    // util-linux `script -c cmd`: cmd runs through a shell; its options may follow the file operand.
    for (let j = 1; j < argv.length; j++) {
      const arg = argv[j]!;
      if (arg === '--command') parseString(part, state, depth, argv[++j] ?? '', 'shell-string');
      else if (arg.startsWith('--command=')) parseString(part, state, depth, arg.slice(10), 'shell-string');
      else if (/^-[^-]*c/.test(arg)) {
        const attached = arg.slice(arg.indexOf('c') + 1);
        parseString(part, state, depth, attached !== '' ? attached : (argv[++j] ?? ''), 'shell-string');
      }
    }
    return undefined;
  }
  if (ASSIGNS_VARIABLE.has(name) || (name === 'printf' && argv[1] !== undefined && /^-v/.test(argv[1]))) {
    // `printf -v x '%s' 'a[$(cmd)]'; echo $((x))` runs cmd, and `printf -v PATH …; ls` runs another
    // ls: a variable set from data makes later expansions code the line does not show. Never allowed.
    part.dynamic = true;
    return undefined;
  }
  const wrapper = WRAPPERS[name];
  if (wrapper) {
    const options = scanOptions(argv, 1, wrapper.short, wrapper.long);
    if (wrapper.noCommand && [...wrapper.noCommand].some((letter) => options.shorts.has(letter))) return undefined;
    return rest(options.operand + (wrapper.skip ?? 0), wrapper.via ?? 'wrapper');
  }
  const program = interpreterProgram(argv);
  if (program?.code !== undefined) {
    addCodePart(part, program.language, program.code, state, depth);
    return undefined;
  }
  return undefined;
}

function unwrapEnv(part: MutablePart, state: SplitState, depth: number): MutablePart | undefined {
  const argv = part.argv;
  const options = scanOptions(argv, 1, 'uCSP', ['unset', 'chdir', 'split-string']);
  const split = options.values.get('S') ?? options.longs.get('split-string');
  if (typeof split === 'string') {
    const tail = argv.slice(options.operand).map(shellQuote).join(' ');
    parseString(part, state, depth, `${split} ${tail}`, 'wrapper');
    return undefined;
  }
  const assignments = [...part.assignments];
  let j = options.operand;
  while (j < argv.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(argv[j]!)) assignments.push(argv[j++]!);
  if (j >= argv.length) return undefined;
  const dir = options.values.get('C') ?? options.longs.get('chdir');
  return derive(part, state, argv.slice(j), part.argvDynamic.slice(j), 'wrapper', {
    assignments,
    dir: typeof dir === 'string' ? dir : undefined,
  });
}

/** `bash [options] [-c string | script | (stdin)] …` */
export function shellInvocation(argv: readonly string[]): { command?: string; script?: string; stdin: boolean } {
  let sawC = false;
  let sawS = false;
  for (let j = 1; j < argv.length; j++) {
    const arg = argv[j]!;
    if (arg === '--' || arg === '-') {
      const operand = argv[j + 1];
      if (sawC) return { command: operand ?? '', stdin: false };
      return { script: operand, stdin: operand === undefined || sawS || isStdinPath(operand) };
    }
    if (['-o', '+o', '-O', '+O', '--rcfile', '--init-file'].includes(arg)) {
      j++;
      continue;
    }
    if (arg.startsWith('--')) continue;
    if ((arg.startsWith('-') || arg.startsWith('+')) && arg.length > 1) {
      if (arg.startsWith('-') && arg.includes('c')) sawC = true;
      if (arg.startsWith('-') && arg.includes('s')) sawS = true;
      continue;
    }
    if (sawC) return { command: arg, stdin: false };
    return { script: arg, stdin: sawS || isStdinPath(arg) };
  }
  return { stdin: !sawC, command: sawC ? '' : undefined };
}

function isStdinPath(path: string): boolean {
  return path === '-' || path === '/dev/stdin' || path === '/proc/self/fd/0' || path === '/dev/fd/0';
}

export interface InterpreterProgram {
  language: string;
  /** The program given on the command line (`-c`, `-e`, awk's program). */
  code?: string;
  /** The program comes from stdin. */
  stdin: boolean;
  /** A script file operand. */
  script?: string;
}

const PYTHON = /^(?:python|pypy)[0-9.]*$/;

/** How an interpreter gets its program, or undefined when argv is not an interpreter. */
export function interpreterProgram(argv: readonly string[]): InterpreterProgram | undefined {
  const name = commandName(argv[0]);
  if (PYTHON.test(name)) return scanInterpreter(argv, name, { code: 'c', module: 'm', withArg: 'WXQ' });
  if (name === 'node' || name === 'nodejs' || name === 'bun') {
    const codes: string[] = [];
    for (let j = 1; j < argv.length; j++) {
      const arg = argv[j]!;
      const eq = /^--(eval|print)=(.*)$/s.exec(arg);
      if (eq) return { language: name, code: eq[2]!, stdin: false };
      if (['-e', '-p', '--eval', '--print', '-pe', '-ep'].includes(arg)) {
        codes.push(argv[j + 1] ?? '');
        return { language: name, code: codes.join('\n'), stdin: false };
      }
      if (['-r', '--require', '--import', '--loader', '--experimental-loader', '-C', '--conditions'].includes(arg)) {
        j++;
        continue;
      }
      if (arg === '-') return { language: name, stdin: true };
      if (arg.startsWith('-')) continue;
      return { language: name, script: arg, stdin: isStdinPath(arg) };
    }
    return { language: name, stdin: true };
  }
  if (name === 'deno') {
    if (argv[1] === 'eval') return { language: name, code: argv.slice(2).join(' '), stdin: false };
    return { language: name, stdin: argv.includes('-') };
  }
  if (name === 'perl' || name === 'ruby')
    return scanInterpreter(argv, name, { code: 'eE', withArg: name === 'ruby' ? 'IrC' : '' });
  if (name === 'php') return scanInterpreter(argv, name, { code: 'r', module: 'f', withArg: 'cdz' });
  if (name === 'lua' || name === 'luajit' || name === 'Rscript' || name === 'osascript')
    return scanInterpreter(argv, name, { code: 'e', module: 'l' });
  if (name === 'awk' || name === 'gawk' || name === 'mawk' || name === 'nawk' || name === 'busybox-awk') {
    const options = scanOptions(argv, 1, 'Ffve', ['file', 'assign', 'field-separator', 'source', 'include']);
    const source = options.values.get('e') ?? options.longs.get('source');
    if (typeof source === 'string') return { language: 'awk', code: source, stdin: false };
    if (options.shorts.has('f') || options.longs.has('file')) return { language: 'awk', stdin: false };
    const code = argv[options.operand];
    return code === undefined ? { language: 'awk', stdin: false } : { language: 'awk', code, stdin: false };
  }
  return undefined;
}

function scanInterpreter(
  argv: readonly string[],
  language: string,
  letters: { code: string; module?: string; withArg?: string },
): InterpreterProgram {
  const codes: string[] = [];
  for (let j = 1; j < argv.length; j++) {
    const arg = argv[j]!;
    if (arg === '-')
      return codes.length ? { language, code: codes.join('\n'), stdin: false } : { language, stdin: true };
    if (arg === '--') {
      const script = argv[j + 1];
      if (codes.length) return { language, code: codes.join('\n'), stdin: false };
      return { language, script, stdin: script === undefined || isStdinPath(script) };
    }
    if (arg.startsWith('-') && arg.length > 1 && !arg.startsWith('--')) {
      let consumedNext = false;
      for (let k = 1; k < arg.length; k++) {
        const letter = arg[k]!;
        if (letters.code.includes(letter)) {
          const attached = arg.slice(k + 1);
          if (attached !== '') codes.push(attached);
          else {
            codes.push(argv[j + 1] ?? '');
            consumedNext = true;
          }
          break;
        }
        if (letters.module?.includes(letter)) {
          return codes.length ? { language, code: codes.join('\n'), stdin: false } : { language, stdin: false };
        }
        if (letters.withArg?.includes(letter)) {
          if (arg.slice(k + 1) === '') consumedNext = true;
          break;
        }
      }
      if (consumedNext) j++;
      // Python stops at -c: what follows are the program's arguments.
      if (codes.length && language.startsWith('py')) return { language, code: codes.join('\n'), stdin: false };
      continue;
    }
    if (arg.startsWith('--')) continue;
    if (codes.length) return { language, code: codes.join('\n'), stdin: false };
    return { language, script: arg, stdin: isStdinPath(arg) };
  }
  return codes.length ? { language, code: codes.join('\n'), stdin: false } : { language, stdin: true };
}

/** Does this command read a program from its stdin? 'shell', an interpreter's name, or undefined. */
export function stdinProgram(part: CommandPart): string | undefined {
  if (part.kind !== 'command') return undefined;
  const name = commandName(part.argv[0]);
  if (SHELLS.has(name)) return shellInvocation(part.argv).stdin ? 'shell' : undefined;
  if (name === 'source' || name === '.')
    return part.argv[1] !== undefined && isStdinPath(part.argv[1]) ? 'shell' : undefined;
  if (name === 'ssh') {
    const options = scanOptions(part.argv, 1, 'BbcDEeFIiJLlmOoPpQRSWw');
    return options.operand + 1 >= part.argv.length && options.operand < part.argv.length ? 'shell' : undefined;
  }
  const program = interpreterProgram(part.argv);
  return program?.stdin ? program.language : undefined;
}

/** Most string literals taken out of one interpreter program (a bound on the work). */
const MAX_CODE_STRINGS = 64;
const STRING_LITERAL = /'((?:[^'\\\n]|\\.)*)'|"((?:[^"\\\n]|\\.)*)"|`((?:[^`\\]|\\.)*)`/g;

/**
 * An interpreter program becomes a part (`kind: 'code'`) so rules can match its text; its string
 * literals, and lists of them (`['rm', '-rf', '/']`), are judged as shell commands too (block and
 * ask only), since `os.system('…')` and `subprocess.run([…])` are how code runs commands.
 */
export function addCodePart(from: MutablePart, language: string, code: string, state: SplitState, depth: number): void {
  const part: MutablePart = {
    ...from,
    text: code,
    argv: [code],
    argvDynamic: [false],
    assignments: [],
    redirects: [],
    kind: 'code',
    language,
    via: 'code',
    depth: from.depth + 1,
    dynamic: false,
    nested: [],
  };
  state.parts.push(part);
  const literals: { value: string; start: number; end: number }[] = [];
  for (const match of code.matchAll(STRING_LITERAL)) {
    if (literals.length >= MAX_CODE_STRINGS) break;
    const body = match[1] ?? match[2] ?? match[3] ?? '';
    literals.push({ value: unescapeLiteral(body), start: match.index, end: match.index + match[0].length });
  }
  const sources: string[] = [];
  let run: string[] = [];
  for (let k = 0; k < literals.length; k++) {
    const literal = literals[k]!;
    if (/[A-Za-z~/.]/.test(literal.value)) sources.push(literal.value);
    const previous = literals[k - 1];
    if (previous && /^\s*,\s*$/.test(code.slice(previous.end, literal.start))) run.push(shellQuote(literal.value));
    else {
      if (run.length > 1) sources.push(run.join(' '));
      run = [shellQuote(literal.value)];
    }
  }
  if (run.length > 1) sources.push(run.join(' '));
  for (const source of sources) {
    parseShellString(source, state, {
      depth: depth + 2,
      via: 'code-string',
      dir: from.dir,
      pipes: from.pipes,
      judgeOnly: true,
    });
  }
}

/** Backslash escapes of a quoted literal (`\\n`, `\\x72`, octal) decoded. */
export function unescapeLiteral(body: string): string {
  return body.replace(/\\(x[0-9a-fA-F]{2}|[0-7]{1,3}|.)/gs, (_, escape: string) => {
    if (escape[0] === 'x') return String.fromCharCode(parseInt(escape.slice(1), 16));
    if (/^[0-7]+$/.test(escape)) return String.fromCharCode(parseInt(escape, 8) & 0xff);
    const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '0': '\0' };
    return simple[escape] ?? escape;
  });
}

/**
 * What the rules of one call look at ("subjects"): for Bash each command part and the whole line,
 * for file tools each path (plus the input as JSON), for any other tool the input as JSON.
 */
import { resolvePath } from './paths.js';
import { splitShell, type CommandPart, type ShellSplit } from './shell-split.js';
import type { ToolCall } from './types.js';

export interface Subject {
  readonly kind: 'part' | 'line' | 'path' | 'input';
  /** What a regex runs over. */
  readonly text: string;
  readonly part?: CommandPart;
  /** Judged for block and ask, but not needed (and not enough) for allow. */
  readonly judgeOnly: boolean;
  /** No rule can vouch for it (a dynamic command name, an unparsed line): the call is never allowed. */
  readonly opaque: boolean;
  /** Paths it names, resolved (for globs and the built-ins). */
  paths(): readonly string[];
}

export interface CallSubjects {
  readonly call: ToolCall;
  readonly subjects: readonly Subject[];
  /** For Bash: the split line. */
  readonly split?: ShellSplit;
  /** Where relative globs are anchored: the worktree, else the cwd. */
  readonly bases: { home?: string; root?: string };
}

/** Tools whose input names a file, and the fields that hold it. */
export const FILE_TOOLS: Readonly<Record<string, readonly string[]>> = {
  Read: ['file_path'],
  Edit: ['file_path'],
  Write: ['file_path'],
  MultiEdit: ['file_path'],
  NotebookEdit: ['notebook_path'],
  NotebookRead: ['notebook_path'],
  LS: ['path'],
  Glob: ['path'],
  Grep: ['path'],
};

/**
 * JSON with sorted keys, so a regex sees the same text whatever order the agent sent. The copy has
 * no prototype: on a plain object `sorted['__proto__'] = …` would set the prototype and drop the
 * key (and the text under it) from the JSON a rule reads.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => {
    if (inner === null || typeof inner !== 'object' || Array.isArray(inner)) return inner;
    const sorted = Object.create(null) as Record<string, unknown>;
    for (const key of Object.keys(inner).sort()) sorted[key] = (inner as Record<string, unknown>)[key];
    return sorted;
  });
}

function lazy(compute: () => readonly string[]): () => readonly string[] {
  let value: readonly string[] | undefined;
  return () => (value ??= compute());
}

const NO_PATHS = (): readonly string[] => [];

/** Redirections whose target is not a file. */
const NOT_FILE_REDIRECTS = new Set(['<<', '<<-', '<<<']);

/**
 * The words of a part that may name files: operands, `--opt=value` values, `@file` (curl), and
 * redirection targets. The command name is skipped, except in strings guessed out of code
 * (`open('.env')` gives the part `.env`).
 */
export function pathArguments(part: CommandPart): string[] {
  const out: string[] = [];
  const start = part.via === 'code-string' ? 0 : 1;
  for (let j = start; j < part.argv.length; j++) {
    const arg = part.argv[j]!;
    if (arg === '' || arg.length > 4096) continue;
    if (arg.startsWith('-')) {
      const eq = arg.indexOf('=');
      if (eq > 0) out.push(stripAt(arg.slice(eq + 1)));
      continue;
    }
    const eq = /^[A-Za-z_][A-Za-z0-9_-]*=@?(.+)$/.exec(arg);
    if (eq) out.push(stripAt(eq[1]!));
    out.push(stripAt(arg));
  }
  for (const redirect of part.redirects) {
    if (NOT_FILE_REDIRECTS.has(redirect.op)) continue;
    if ((redirect.op === '>&' || redirect.op === '<&') && /^[0-9-]+$/.test(redirect.target)) continue;
    out.push(redirect.target);
  }
  return out;
}

function stripAt(arg: string): string {
  return arg.startsWith('@') && arg.length > 1 ? arg.slice(1) : arg;
}

function bashSubjects(call: ToolCall, command: string): { subjects: Subject[]; split: ShellSplit } {
  if (command.includes('\0')) return nulSubjects(call, command);
  const split = splitShell(command);
  const subjects: Subject[] = partSubjects(call, split);
  subjects.push({ kind: 'line', text: command, judgeOnly: true, opaque: !split.parsed, paths: NO_PATHS });
  return { subjects, split };
}

/**
 * A NUL byte: bash drops it from a script it reads (`r\0m` is rm), while `bash -c` stops at it.
 * Both readings are judged, and the call is never allowed.
 */
function nulSubjects(call: ToolCall, command: string): { subjects: Subject[]; split: ShellSplit } {
  const dropped = command.replace(/\0/g, '');
  const split = splitShell(dropped);
  const subjects = [
    ...partSubjects(call, split),
    ...partSubjects(call, splitShell(command.slice(0, command.indexOf('\0')))),
  ];
  subjects.push({ kind: 'line', text: dropped, judgeOnly: true, opaque: true, paths: NO_PATHS });
  return { subjects, split: { ...split, parsed: false } };
}

function partSubjects(call: ToolCall, split: ShellSplit): Subject[] {
  return split.parts.map((part) => ({
    kind: 'part',
    text: part.text,
    part,
    judgeOnly: part.judgeOnly || !split.parsed,
    opaque: part.dynamic,
    paths: lazy(() =>
      pathArguments(part).map((arg) => resolvePath(arg, { cwd: call.cwd, home: call.home, dir: part.dir })),
    ),
  }));
}

function stringField(input: Record<string, unknown>, field: string): string | undefined {
  const value = input[field];
  return typeof value === 'string' ? value : undefined;
}

function fileSubjects(call: ToolCall, fields: readonly string[], json: string): Subject[] {
  const context = { cwd: call.cwd, home: call.home };
  const raw: string[] = [];
  for (const field of fields) {
    const value = stringField(call.input, field);
    if (value !== undefined) raw.push(value);
  }
  if (call.tool === 'Glob' || call.tool === 'Grep') {
    // A search without a path searches the cwd; its glob names the files it reads.
    const base = raw[0] ?? call.cwd ?? '.';
    if (raw.length === 0) raw.push(base);
    const glob = stringField(call.input, call.tool === 'Glob' ? 'pattern' : 'glob');
    if (glob !== undefined && glob !== '') raw.push(glob.startsWith('/') ? glob : `${base}/**/${glob}`);
  }
  const subjects: Subject[] = raw.map((value) => {
    const path = resolvePath(value, context);
    return { kind: 'path', text: path, judgeOnly: false, opaque: false, paths: () => [path] };
  });
  if (subjects.length === 0)
    subjects.push({ kind: 'input', text: json, judgeOnly: false, opaque: true, paths: NO_PATHS });
  subjects.push({ kind: 'input', text: json, judgeOnly: true, opaque: false, paths: NO_PATHS });
  return subjects;
}

/** String values under keys that name paths (`path`, `file_path`, `directory`, …) of other tools. */
function inputPaths(call: ToolCall): string[] {
  const out: string[] = [];
  for (const [key, value] of Object.entries(call.input)) {
    if (typeof value === 'string' && /(?:^|_)(?:path|file|filename|dir|directory)$/i.test(key))
      out.push(resolvePath(value, { cwd: call.cwd, home: call.home }));
  }
  return out;
}

/** The subjects of one call. Never throws, whatever the input holds. */
export function callSubjects(call: ToolCall): CallSubjects {
  const bases = { home: call.home, root: call.worktree ?? call.cwd };
  const input = call.input !== null && typeof call.input === 'object' ? call.input : {};
  const safeCall = input === call.input ? call : { ...call, input };
  const json = canonicalJson(input) ?? '{}';
  if (call.tool === 'Bash') {
    const command = stringField(input, 'command');
    if (command !== undefined) return { call: safeCall, bases, ...bashSubjects(safeCall, command) };
    return {
      call: safeCall,
      bases,
      subjects: [{ kind: 'input', text: json, judgeOnly: false, opaque: true, paths: NO_PATHS }],
    };
  }
  const fields = FILE_TOOLS[call.tool];
  if (fields) return { call: safeCall, bases, subjects: fileSubjects(safeCall, fields, json) };
  return {
    call: safeCall,
    bases,
    subjects: [{ kind: 'input', text: json, judgeOnly: false, opaque: false, paths: lazy(() => inputPaths(safeCall)) }],
  };
}

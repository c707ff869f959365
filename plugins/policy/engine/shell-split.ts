/**
 * Shell-aware splitting of a Bash tool call into the commands it would run.
 *
 * Hand-written on purpose. The candidates were weighed: shell-quote (the well-kept tokenizer)
 * silently "repairs" unbalanced quotes, does not parse `$( )` or backticks as commands (`$(ls)`
 * comes back as `$`, `(`, `ls`, `)` and `"$(ls)"` as one opaque string), and has no notion of
 * here-documents; bash-parser is unmaintained; mvdan-sh is deprecated and sh-syntax is WASM with
 * an asynchronous API, which a synchronous evaluate on every tool call cannot use. A policy needs
 * the opposite of a forgiving tokenizer: it must see every command that could run (inside double
 * quotes, here-docs and `bash -c` strings too) and say when it could not understand the input.
 *
 * The parser is a single pass with recursion for nested constructs, bounded by MAX_DEPTH. It
 * never throws: what it cannot understand is recorded in `errors` (the caller then judges the raw
 * string and never allows it) and parsing goes on as best it can, so a broken line still yields
 * the parts a block rule can catch.
 */
import { addCodePart, commandName, stdinProgram, unescapeLiteral, unwrapCommand } from './unwrap.js';

export interface Redirect {
  /** `<`, `>`, `>>`, `<<`, `<<-`, `<<<`, `<&`, `>&`, `&>`, `&>>`, `>|`, `<>` (fd prefix dropped). */
  readonly op: string;
  readonly target: string;
}

/** How a part was reached from the command line as written. */
export type PartVia =
  | 'line'
  | 'subshell'
  | 'substitution'
  | 'process-substitution'
  | 'function'
  | 'shell-string'
  | 'eval'
  | 'wrapper'
  | 'path'
  | 'xargs'
  | 'find-exec'
  | 'remote'
  | 'heredoc'
  | 'code'
  | 'code-string';

/** One command the line would run (or one interpreter program, `kind: 'code'`). */
export interface CommandPart {
  /** Normalised: unquoted words joined by one space, then redirections (`cat < .env`). */
  readonly text: string;
  /** The words after quote removal and brace expansion (`'r''m'` → `rm`); `$(…)` kept as written. */
  readonly argv: readonly string[];
  /** Per argv entry: the word held an expansion (`$X`, `$(…)`) or an unquoted glob. */
  readonly argvDynamic: readonly boolean[];
  /** `NAME=value` words before the command (and those given to `env`). */
  readonly assignments: readonly string[];
  readonly redirects: readonly Redirect[];
  readonly kind: 'command' | 'code';
  /** For code parts: the interpreter (`python3`, `node`, `perl`, …). */
  readonly language?: string;
  readonly via: PartVia;
  /** Nesting depth (0: the line itself). */
  readonly depth: number;
  /** Pipelines this part is a stage of, outermost first: `[pipeline id, stage index]` pairs. */
  readonly pipes: readonly (readonly [number, number])[];
  /** The directory a preceding `cd` moved to, as written; undefined: the call's cwd; null: unknown. */
  readonly dir: string | null | undefined;
  /** The command name is not a literal (a variable, a substitution, a glob): no rule can vouch for it. */
  readonly dynamic: boolean;
  /** Judged for block/ask but not needed for allow (strings guessed out of interpreter code). */
  readonly judgeOnly: boolean;
  /** Parts that run inside this command's words (`$(…)`, backticks, `<(…)`), at any depth. */
  readonly nested: readonly CommandPart[];
}

export interface ShellSplit {
  readonly parts: readonly CommandPart[];
  /** False when the line could not be understood completely (see errors). */
  readonly parsed: boolean;
  readonly errors: readonly string[];
}

/** Nesting beyond this is refused (a parse error): it bounds recursion and work. */
export const MAX_DEPTH = 24;
/** Brace expansion that would make more words than this is not expanded (a parse error). */
const MAX_BRACE_WORDS = 256;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
export type MutablePart = Mutable<CommandPart> & { nested: CommandPart[] };

interface SplitState {
  parts: MutablePart[];
  errors: string[];
  /** Errors of judge-only parses (strings guessed out of code) do not make the line unparsed. */
  quietErrors: string[];
  pipelineSeq: number;
}

interface Scope {
  dir: string | null | undefined;
}

interface PendingHeredoc {
  part: MutablePart;
  effective: MutablePart;
  delimiter: string;
  stripTabs: boolean;
  expand: boolean;
}

interface Word {
  /** After brace expansion (usually one). */
  values: string[];
  raw: string;
  quoted: boolean;
  dynamic: boolean;
  glob: boolean;
}

interface WordFlags {
  quoted: boolean;
  dynamic: boolean;
  glob: boolean;
}

// Quoted braces and commas must not take part in brace expansion: they travel as private-use
// characters until expansion is done.
const PROTECT: Record<string, string> = { '{': '\uE000', '}': '\uE001', ',': '\uE002' };
const UNPROTECT: Record<string, string> = { '\uE000': '{', '\uE001': '}', '\uE002': ',' };
const protect = (text: string): string => text.replace(/[{},]/g, (c) => PROTECT[c]!);
const unprotect = (text: string): string => text.replace(/[\uE000-\uE002]/g, (c) => UNPROTECT[c]!);

const WORD_END = new Set([' ', '\t', '\n', ';', '&', '|', '<', '>', '(', ')']);
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*(\[[^\]]*\])?\+?=/;
const SKIP_KEYWORDS = new Set(['if', 'then', 'elif', 'else', 'do', 'while', 'until', '!', 'time']);
const END_KEYWORDS = new Set(['fi', 'done', 'esac']);

/** Split a shell command line into the commands it would run. Never throws. */
export function splitShell(command: string): ShellSplit {
  const state: SplitState = { parts: [], errors: [], quietErrors: [], pipelineSeq: 0 };
  parseShellString(command, state, { depth: 0, via: 'line', dir: undefined, pipes: [], judgeOnly: false });
  return { parts: state.parts, parsed: state.errors.length === 0, errors: state.errors };
}

export interface ParseContext {
  depth: number;
  via: PartVia;
  dir: string | null | undefined;
  pipes: readonly (readonly [number, number])[];
  judgeOnly: boolean;
}

/** Parse `source` as a complete command list into `state` (used again for `bash -c` strings, eval, …). */
export function parseShellString(source: string, state: SplitState, context: ParseContext): void {
  if (context.depth > MAX_DEPTH) {
    (context.judgeOnly ? state.quietErrors : state.errors).push('commands nested too deeply to analyse');
    return;
  }
  const parser = new Parser(source, state, context);
  parser.run();
}

export type { SplitState };

class Parser {
  private i = 0;
  private depth: number;
  private pipes: (readonly [number, number])[];
  private readonly heredocs: PendingHeredoc[] = [];
  private aborted = false;

  constructor(
    private readonly src: string,
    private readonly state: SplitState,
    private readonly context: ParseContext,
  ) {
    this.depth = context.depth;
    this.pipes = [...context.pipes];
  }

  run(): void {
    this.parseList('eof', { dir: this.context.dir }, this.context.via);
    if (this.heredocs.length > 0) this.readHeredocBodies();
  }

  private error(message: string): void {
    const sink = this.context.judgeOnly ? this.state.quietErrors : this.state.errors;
    if (sink.length < 20) sink.push(message);
  }

  private eof(): boolean {
    return this.aborted || this.i >= this.src.length;
  }

  private peek(offset = 0): string {
    return this.src[this.i + offset] ?? '';
  }

  private skipBlanks(): void {
    for (;;) {
      const c = this.peek();
      if (c === ' ' || c === '\t' || c === '\r') this.i++;
      else if (c === '\\' && this.peek(1) === '\n') this.i += 2;
      else return;
    }
  }

  private skipComment(): void {
    while (!this.eof() && this.peek() !== '\n') this.i++;
  }

  /** Consume one newline, then the bodies of here-documents started on the line it ends. */
  private newline(): void {
    this.i++;
    if (this.heredocs.length > 0) this.readHeredocBodies();
  }

  private skipBlanksAndNewlines(): void {
    for (;;) {
      this.skipBlanks();
      const c = this.peek();
      if (c === '\n') this.newline();
      else if (c === '#') this.skipComment();
      else return;
    }
  }

  /** The unquoted literal word at the cursor, if it is exactly `word` (a keyword test). */
  private atWord(word: string): boolean {
    if (!this.src.startsWith(word, this.i)) return false;
    const after = this.src[this.i + word.length];
    return after === undefined || WORD_END.has(after) || after === '\r';
  }

  private parseList(stop: 'eof' | ')' | '}', scope: Scope, via: PartVia): void {
    for (;;) {
      this.skipBlanks();
      if (this.eof()) {
        if (stop !== 'eof') this.error(`missing '${stop}'`);
        return;
      }
      const c = this.peek();
      if (c === '#') this.skipComment();
      else if (c === '\n') this.newline();
      else if (c === ';') this.i += this.peek(1) === ';' || this.peek(1) === '&' ? 2 : 1;
      else if (c === '&' && this.peek(1) !== '>') this.i += this.peek(1) === '&' ? 2 : 1;
      else if (c === '|') {
        if (this.peek(1) === '|') this.i += 2;
        else {
          this.error("unexpected '|'");
          this.i++;
        }
      } else if (c === ')') {
        if (stop === ')') return;
        this.error("unexpected ')'");
        this.i++;
      } else if (stop === '}' && this.atWord('}')) return;
      else this.parsePipeline(scope, via);
    }
  }

  private parsePipeline(scope: Scope, via: PartVia): void {
    const pipeline = ++this.state.pipelineSeq;
    const firstPart = this.state.parts.length;
    let stage = 0;
    for (;;) {
      const start = this.i;
      this.pipes.push([pipeline, stage]);
      this.parseCommand(scope, via);
      this.pipes.pop();
      this.skipBlanks();
      if (this.peek() === '|' && this.peek(1) !== '|') {
        this.i += this.peek(1) === '&' ? 2 : 1;
        stage++;
        this.skipBlanksAndNewlines();
        if (this.eof() || this.peek() === ')' || this.peek() === ';') this.error("missing command after '|'");
        continue;
      }
      if (this.i === start && !this.eof()) {
        // Nothing consumed and not at a separator the list understands: skip a character.
        this.error(`unexpected '${this.peek()}'`);
        this.i++;
      }
      if (stage > 0) this.connectPipeline(pipeline, firstPart);
      return;
    }
  }

  /**
   * A stage that reads its program from stdin (`… | bash`, `… | python3`) runs what earlier
   * stages write: it is marked dynamic (no rule can vouch for it), and what a literal writer
   * (`echo`, `printf`, `cat <<< …`) sends it is parsed as its program.
   */
  private connectPipeline(pipeline: number, firstPart: number): void {
    const members = this.state.parts.slice(firstPart);
    const stageOf = (part: CommandPart) => part.pipes.find(([id]) => id === pipeline)?.[1];
    for (const reader of members) {
      const readerStage = stageOf(reader);
      if (!readerStage || stdinProgram(reader) === undefined) continue;
      reader.dynamic = true;
      for (const writer of members) {
        const writerStage = stageOf(writer);
        if (writerStage === undefined || writerStage >= readerStage) continue;
        const data = pipedData(writer);
        if (data !== undefined) feedStdin(reader, data, this.state, this.depth);
      }
    }
  }

  private parseCommand(scope: Scope, via: PartVia): void {
    this.skipBlanks();
    if (this.eof()) return;
    const c = this.peek();
    if (c === '(') {
      if (this.peek(1) === '(') {
        this.i += 2;
        this.readArithmetic(scope);
      } else {
        this.i++;
        this.parseList(')', { dir: scope.dir }, 'subshell');
        if (this.peek() === ')') this.i++;
      }
      this.parseTrailingRedirects(scope, via);
      return;
    }
    if (this.atWord('{')) {
      this.i++;
      this.parseList('}', scope, via === 'line' ? 'line' : via);
      if (this.atWord('}')) this.i++;
      this.parseTrailingRedirects(scope, via);
      return;
    }
    for (const keyword of SKIP_KEYWORDS) {
      if (this.atWord(keyword)) {
        this.i += keyword.length;
        if (keyword === 'time') {
          this.skipBlanks();
          if (this.atWord('-p')) this.i += 2;
        }
        this.parseCommand(scope, via);
        return;
      }
    }
    for (const keyword of END_KEYWORDS) {
      if (this.atWord(keyword)) {
        this.i += keyword.length;
        this.parseTrailingRedirects(scope, via);
        return;
      }
    }
    if (this.atWord('}')) {
      this.error("unexpected '}'");
      this.i++;
      return;
    }
    if (this.atWord('case')) this.error('case … esac is not analysed');
    if (this.atWord('function')) {
      this.i += 'function'.length;
      this.skipBlanks();
      this.readWord(scope);
      this.skipBlanks();
      if (this.peek() === '(' && this.peek(1) === ')') this.i += 2;
      this.skipBlanksAndNewlines();
      this.parseCommand(scope, 'function');
      return;
    }
    if (this.atWord('[[')) {
      this.parseTest(scope, via);
      return;
    }
    this.parseSimple(scope, via);
  }

  /** `[[ … ]]`: its `&&`, `<`, `(` are operators of the test, not of the shell. */
  private parseTest(scope: Scope, via: PartVia): void {
    const first = this.state.parts.length;
    const words: Word[] = [];
    this.i += 2;
    for (;;) {
      this.skipBlanks();
      if (this.eof() || this.peek() === '\n') {
        this.error("missing ']]'");
        break;
      }
      if (this.atWord(']]')) {
        this.i += 2;
        break;
      }
      const c = this.peek();
      if ('&|<>()!'.includes(c)) {
        let op = c;
        this.i++;
        if ((c === '&' || c === '|') && this.peek() === c) {
          op += c;
          this.i++;
        }
        words.push({ values: [op], raw: op, quoted: false, dynamic: false, glob: false });
      } else if (c === ';') {
        this.error("unexpected ';' in [[ ]]");
        break;
      } else {
        const word = this.readWord(scope);
        if (word) words.push(word);
      }
    }
    const all = [{ values: ['[['], raw: '[[', quoted: false, dynamic: false, glob: false }, ...words];
    all.push({ values: [']]'], raw: ']]', quoted: false, dynamic: false, glob: false });
    this.emitSimple(all, [], [], scope, via, first);
  }

  private parseTrailingRedirects(scope: Scope, via: PartVia): void {
    const first = this.state.parts.length;
    const redirects: Redirect[] = [];
    for (;;) {
      this.skipBlanks();
      if (!this.readRedirect(scope, redirects)) break;
    }
    // A group's redirections (`( … ) < .env`) are judged as a command of their own.
    if (redirects.length > 0) this.emitSimple([], [], redirects, scope, via, first);
  }

  private parseSimple(scope: Scope, via: PartVia): void {
    const first = this.state.parts.length;
    const words: Word[] = [];
    const assignments: string[] = [];
    const redirects: Redirect[] = [];
    for (;;) {
      this.skipBlanks();
      if (this.eof()) break;
      const c = this.peek();
      if (c === '#' && (words.length > 0 || assignments.length > 0 || redirects.length > 0)) {
        this.skipComment();
        break;
      }
      if (this.readRedirect(scope, redirects)) continue;
      if (c === '\n' || c === ';' || c === '|' || c === ')' || c === '&') break;
      if (c === '(') {
        if (words.length === 1 && assignments.length === 0 && /^\(\s*\)/.test(this.src.slice(this.i, this.i + 16))) {
          // `name() body`: a function definition; its body is judged as if it ran.
          this.i = this.src.indexOf(')', this.i) + 1;
          this.skipBlanksAndNewlines();
          this.parseCommand(scope, 'function');
          return;
        }
        this.error("unexpected '('");
        this.i++;
        this.parseList(')', { dir: scope.dir }, 'subshell');
        if (this.peek() === ')') this.i++;
        continue;
      }
      const word = this.readWord(scope);
      if (!word) {
        this.error(`unexpected '${c}'`);
        this.i++;
        continue;
      }
      if (words.length === 0 && !word.quoted && ASSIGNMENT.test(word.raw)) assignments.push(word.values.join(' '));
      else words.push(word);
    }
    this.emitSimple(words, assignments, redirects, scope, via, first);
  }

  private emitSimple(
    words: Word[],
    assignments: string[],
    redirects: Redirect[],
    scope: Scope,
    via: PartVia,
    firstNested: number,
  ): void {
    if (words.length === 0 && assignments.length === 0 && redirects.length === 0) return;
    const argv: string[] = [];
    const argvDynamic: boolean[] = [];
    for (const word of words) {
      for (const value of word.values) {
        argv.push(value);
        argvDynamic.push(word.dynamic || word.glob);
      }
    }
    const part: MutablePart = {
      text: partText(assignments, argv, redirects),
      argv,
      argvDynamic,
      assignments,
      redirects,
      kind: 'command',
      via,
      depth: this.depth,
      pipes: [...this.pipes],
      dir: scope.dir,
      dynamic: argvDynamic[0] ?? false,
      judgeOnly: this.context.judgeOnly,
      nested: this.state.parts.slice(firstNested),
    };
    this.state.parts.push(part);
    const effective = unwrapCommand(part, this.state, this.depth);
    const name = effective.argv[0];
    if ((name === 'cd' || name === 'pushd') && effective.kind === 'command') {
      const target = effective.argv.slice(1).find((arg) => !arg.startsWith('-') || arg === '-');
      if (target === undefined) scope.dir = '~';
      else if (target === '-' || effective.argvDynamic[effective.argv.indexOf(target)]) scope.dir = null;
      else if (scope.dir === null) scope.dir = target.startsWith('/') || target.startsWith('~') ? target : null;
      else scope.dir = scope.dir === undefined || isAbsoluteLike(target) ? target : `${scope.dir}/${target}`;
    }
    for (const redirect of redirects) {
      if (redirect.op === '<<' || redirect.op === '<<-') {
        const heredoc = this.pendingHeredocDelimiters.shift();
        if (heredoc)
          this.heredocs.push({
            part,
            effective,
            delimiter: heredoc.delimiter,
            stripTabs: redirect.op === '<<-',
            expand: heredoc.expand,
          });
      } else if (redirect.op === '<<<') {
        feedStdin(effective, redirect.target, this.state, this.depth);
      }
    }
  }

  private pendingHeredocDelimiters: { delimiter: string; expand: boolean }[] = [];

  private readHeredocBodies(): void {
    while (this.heredocs.length > 0) {
      const heredoc = this.heredocs.shift()!;
      const lines: string[] = [];
      let terminated = false;
      while (this.i < this.src.length) {
        const end = this.src.indexOf('\n', this.i);
        const line = this.src.slice(this.i, end < 0 ? this.src.length : end);
        this.i = end < 0 ? this.src.length : end + 1;
        const check = heredoc.stripTabs ? line.replace(/^\t+/, '') : line;
        if (check.replace(/\r$/, '') === heredoc.delimiter) {
          terminated = true;
          break;
        }
        lines.push(check);
      }
      if (!terminated) this.error(`here-document '${heredoc.delimiter}' is not terminated`);
      const body = lines.join('\n');
      if (heredoc.expand) {
        // An unquoted delimiter: `$( )` and backticks in the body run.
        const first = this.state.parts.length;
        const sub = new Parser(body, this.state, { ...this.context, depth: this.depth + 1, pipes: this.pipes });
        sub.scanExpansions({ dir: heredoc.part.dir });
        heredoc.part.nested.push(...this.state.parts.slice(first));
      }
      feedStdin(heredoc.effective, body, this.state, this.depth);
      if (commandName(heredoc.effective.argv[0]) === 'cat' && heredoc.effective.argv.length === 1) {
        // `cat <<EOF | bash`: the body is what the later stage runs.
        for (const reader of this.state.parts) {
          if (reader !== heredoc.effective && stdinProgram(reader) !== undefined && feeds(heredoc.effective, reader))
            feedStdin(reader, body, this.state, this.depth);
        }
      }
    }
  }

  /** Find and parse the expansions of a double-quote-like text (a here-document body). */
  scanExpansions(scope: Scope): void {
    const flags: WordFlags = { quoted: false, dynamic: false, glob: false };
    while (!this.eof()) {
      const c = this.peek();
      if (c === '\\') this.i += 2;
      else if (c === '$') this.readDollar(scope, flags, true);
      else if (c === '`') this.readBacktick(scope, flags);
      else this.i++;
    }
  }

  /** A redirection at the cursor (with an optional fd or `{var}` prefix); false if there is none. */
  private readRedirect(scope: Scope, redirects: Redirect[]): boolean {
    const match = /^(?:[0-9]+|\{[A-Za-z_][A-Za-z0-9_]*\})?(&>>|&>|<<<|<<-|<<|<>|<&|>&|>>|>\||<|>)/.exec(
      this.src.slice(this.i, this.i + 40),
    );
    if (!match) return false;
    const op = match[1]!;
    // `<(` and `>(` are process substitutions (words), not redirections.
    if ((op === '<' || op === '>') && this.src[this.i + match[0].length] === '(') return false;
    if (/^[0-9]/.test(match[0]) && this.i > 0 && !WORD_END.has(this.src[this.i - 1]!)) return false;
    this.i += match[0].length;
    this.skipBlanks();
    const word = this.readWord(scope);
    if (!word) {
      this.error(`missing target after '${op}'`);
      return true;
    }
    const target = word.values.join(' ');
    redirects.push({ op, target });
    if (op === '<<' || op === '<<-') this.pendingHeredocDelimiters.push({ delimiter: target, expand: !word.quoted });
    return true;
  }

  /** One word at the cursor, or undefined if the cursor is at an operator. */
  private readWord(scope: Scope): Word | undefined {
    const start = this.i;
    const flags: WordFlags = { quoted: false, dynamic: false, glob: false };
    let value = '';
    while (!this.eof()) {
      const c = this.peek();
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === ';' || c === '&' || c === '|' || c === ')')
        break;
      if (c === '<' || c === '>') {
        if (this.i === start && this.peek(1) === '(') {
          this.i += 2;
          this.subParse(scope, 'process-substitution');
          value += protect(this.src.slice(start, this.i));
          flags.dynamic = true;
          continue;
        }
        break;
      }
      if (c === '(') {
        if (/^[A-Za-z_][A-Za-z0-9_]*\+?=$/.test(value)) {
          value += protect(this.readArrayLiteral(scope));
          flags.dynamic = true;
          continue;
        }
        if (value !== '' && /[@!?*+]$/.test(value)) {
          // An extglob such as `@(a|b)`: keep it in the word.
          value += this.readBalanced();
          flags.glob = true;
          continue;
        }
        break;
      }
      if (c === '\\') {
        if (this.peek(1) === '\n') {
          this.i += 2;
          continue;
        }
        value += protect(this.peek(1));
        flags.quoted = true;
        this.i += 2;
        continue;
      }
      if (c === "'") {
        let end = this.src.indexOf("'", this.i + 1);
        if (end < 0) {
          this.error('unterminated single quote');
          end = this.src.length;
        }
        value += protect(this.src.slice(this.i + 1, end));
        flags.quoted = true;
        this.i = end + 1;
        continue;
      }
      if (c === '"') {
        this.i++;
        value += protect(this.readDoubleQuoted(scope, flags));
        flags.quoted = true;
        continue;
      }
      if (c === '$') {
        value += this.readDollar(scope, flags, false);
        continue;
      }
      if (c === '`') {
        value += protect(this.readBacktick(scope, flags));
        continue;
      }
      if (c === '*' || c === '?' || c === '[') flags.glob = true;
      value += c;
      this.i++;
    }
    if (this.i === start) return undefined;
    const raw = this.src.slice(start, this.i);
    let values: string[];
    if (value.includes('{') && value.includes('}')) {
      const expanded = expandBraces(value);
      if (expanded === undefined) {
        this.error('brace expansion too large to analyse');
        values = [unprotect(value)];
      } else values = expanded.map(unprotect);
    } else values = [unprotect(value)];
    return { values, raw, ...flags };
  }

  private readDoubleQuoted(scope: Scope, flags: WordFlags): string {
    let value = '';
    for (;;) {
      if (this.eof()) {
        this.error('unterminated double quote');
        return value;
      }
      const c = this.peek();
      if (c === '"') {
        this.i++;
        return value;
      }
      if (c === '\\') {
        const next = this.peek(1);
        if (next === '\n') this.i += 2;
        else if (next === '$' || next === '`' || next === '"' || next === '\\') {
          value += next;
          this.i += 2;
        } else {
          value += '\\';
          this.i++;
        }
      } else if (c === '$') value += this.readDollar(scope, flags, true);
      else if (c === '`') value += this.readBacktick(scope, flags);
      else {
        value += c;
        this.i++;
      }
    }
  }

  /** `$…` at the cursor: ANSI-C quoting, substitutions, arithmetic, parameters. Returns its value. */
  private readDollar(scope: Scope, flags: WordFlags, inDoubleQuotes: boolean): string {
    const start = this.i;
    const next = this.peek(1);
    if (next === "'" && !inDoubleQuotes) {
      this.i += 2;
      flags.quoted = true;
      return protect(this.readAnsiC());
    }
    if (next === '"' && !inDoubleQuotes) {
      this.i += 2;
      flags.quoted = true;
      return protect(this.readDoubleQuoted(scope, flags));
    }
    flags.dynamic = true;
    if (next === '(' && this.peek(2) === '(') {
      this.i += 3;
      this.readArithmetic(scope);
      return protect(this.src.slice(start, this.i));
    }
    if (next === '(') {
      this.i += 2;
      this.subParse(scope, 'substitution');
      return protect(this.src.slice(start, this.i));
    }
    if (next === '{') {
      this.i += 2;
      this.readParameterExpansion(scope, flags);
      const raw = this.src.slice(start, this.i);
      const simple = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(raw);
      return protect(simple ? `$${simple[1]}` : raw);
    }
    const name = /^(?:[A-Za-z_][A-Za-z0-9_]*|[0-9@*#?$!-])/.exec(this.src.slice(this.i + 1, this.i + 200));
    if (name) {
      this.i += 1 + name[0].length;
      return `$${name[0]}`;
    }
    flags.dynamic = false;
    this.i++;
    return '$';
  }

  private readAnsiC(): string {
    let value = '';
    for (;;) {
      if (this.eof()) {
        this.error("unterminated $'…' quote");
        return value;
      }
      const c = this.peek();
      this.i++;
      if (c === "'") return value;
      if (c !== '\\') {
        value += c;
        continue;
      }
      const e = this.peek();
      this.i++;
      const simple: Record<string, string> = {
        n: '\n',
        t: '\t',
        r: '\r',
        a: '\x07',
        b: '\b',
        e: '\x1b',
        E: '\x1b',
        f: '\f',
        v: '\v',
        '\\': '\\',
        "'": "'",
        '"': '"',
        '?': '?',
      };
      if (e in simple) value += simple[e];
      else if (e === 'x') {
        const hex = /^[0-9a-fA-F]{1,2}/.exec(this.src.slice(this.i, this.i + 2));
        if (hex) {
          value += String.fromCharCode(parseInt(hex[0], 16));
          this.i += hex[0].length;
        } else value += '\\x';
      } else if (e === 'u' || e === 'U') {
        const hex = new RegExp(`^[0-9a-fA-F]{1,${e === 'u' ? 4 : 8}}`).exec(this.src.slice(this.i, this.i + 8));
        if (hex) {
          const code = parseInt(hex[0], 16);
          value += code <= 0x10ffff ? String.fromCodePoint(code) : '';
          this.i += hex[0].length;
        } else value += `\\${e}`;
      } else if (/[0-7]/.test(e)) {
        const oct = /^[0-7]{1,3}/.exec(this.src.slice(this.i - 1, this.i + 2))!;
        value += String.fromCharCode(parseInt(oct[0], 8) & 0xff);
        this.i += oct[0].length - 1;
      } else if (e === 'c') {
        const ch = this.peek();
        this.i++;
        value += String.fromCharCode(ch.charCodeAt(0) & 0x1f);
      } else value += `\\${e}`;
    }
  }

  /** After `${`: up to the matching `}`; expansions inside run. */
  private readParameterExpansion(scope: Scope, flags: WordFlags): void {
    let depth = 1;
    while (!this.eof()) {
      const c = this.peek();
      if (c === '\\') this.i += 2;
      else if (c === "'") {
        const end = this.src.indexOf("'", this.i + 1);
        this.i = end < 0 ? this.src.length : end + 1;
      } else if (c === '"') {
        this.i++;
        this.readDoubleQuoted(scope, flags);
      } else if (c === '$') this.readDollar(scope, flags, true);
      else if (c === '`') this.readBacktick(scope, flags);
      else if (c === '{') {
        depth++;
        this.i++;
      } else if (c === '}') {
        this.i++;
        if (--depth === 0) return;
      } else this.i++;
    }
    this.error("missing '}' of ${…}");
  }

  /** After `((` or `$((`: up to the matching `))`; substitutions inside run. */
  private readArithmetic(scope: Scope): void {
    const flags: WordFlags = { quoted: false, dynamic: false, glob: false };
    let depth = 0;
    while (!this.eof()) {
      const c = this.peek();
      if (c === '$') this.readDollar(scope, flags, true);
      else if (c === '`') this.readBacktick(scope, flags);
      else if (c === '(') {
        depth++;
        this.i++;
      } else if (c === ')') {
        if (depth === 0 && this.peek(1) === ')') {
          this.i += 2;
          return;
        }
        if (depth === 0) {
          this.error("missing '))'");
          this.i++;
          return;
        }
        depth--;
        this.i++;
      } else this.i++;
    }
    this.error("missing '))'");
  }

  /** `name=( … )`: an array literal; its words may hold substitutions. */
  private readArrayLiteral(scope: Scope): string {
    const start = this.i;
    this.i++;
    for (;;) {
      this.skipBlanksAndNewlines();
      if (this.eof()) {
        this.error("missing ')' of an array");
        break;
      }
      if (this.peek() === ')') {
        this.i++;
        break;
      }
      if (!this.readWord(scope)) this.i++;
    }
    return this.src.slice(start, this.i);
  }

  /** `( … )` of an extglob, quotes respected; no commands inside. */
  private readBalanced(): string {
    const start = this.i;
    let depth = 0;
    while (!this.eof()) {
      const c = this.peek();
      this.i++;
      if (c === '\\') this.i++;
      else if (c === '(') depth++;
      else if (c === ')' && --depth === 0) break;
    }
    return this.src.slice(start, this.i);
  }

  /** Backticks at the cursor: the content is unescaped then parsed as commands. */
  private readBacktick(scope: Scope, flags: WordFlags): string {
    const start = this.i;
    flags.dynamic = true;
    this.i++;
    let content = '';
    for (;;) {
      if (this.eof()) {
        this.error('unterminated backtick');
        break;
      }
      const c = this.peek();
      if (c === '`') {
        this.i++;
        break;
      }
      if (c === '\\' && '$`\\'.includes(this.peek(1)) && this.peek(1) !== '') {
        content += this.peek(1);
        this.i += 2;
      } else {
        content += c;
        this.i++;
      }
    }
    if (this.depth + 1 > MAX_DEPTH) this.abort();
    else
      parseShellString(content, this.state, {
        ...this.context,
        depth: this.depth + 1,
        via: 'substitution',
        dir: scope.dir,
        pipes: this.pipes,
      });
    return this.src.slice(start, this.i);
  }

  /** After `$(` or `<(`: parse the commands up to the matching `)`, consuming it. */
  private subParse(scope: Scope, via: PartVia): void {
    if (this.depth + 1 > MAX_DEPTH) {
      this.abort();
      return;
    }
    this.depth++;
    this.parseList(')', { dir: scope.dir }, via);
    this.depth--;
    if (this.peek() === ')') this.i++;
  }

  /** Too deep: stop parsing this string altogether (the line is then judged raw). */
  private abort(): void {
    this.error('commands nested too deeply to analyse');
    this.aborted = true;
    this.i = this.src.length;
  }
}

function isAbsoluteLike(path: string): boolean {
  return path.startsWith('/') || path.startsWith('~') || path.startsWith('$HOME');
}

export function partText(
  assignments: readonly string[],
  argv: readonly string[],
  redirects: readonly Redirect[],
): string {
  const pieces = [...assignments, ...argv];
  for (const redirect of redirects) pieces.push(`${redirect.op} ${redirect.target}`);
  return pieces.join(' ');
}

/**
 * Bash brace expansion of a word (quoted braces and commas arrive protected). `{a,b}` lists and
 * `{1..3}` / `{a..c}` ranges; undefined when it would make more than MAX_BRACE_WORDS words.
 */
export function expandBraces(word: string): string[] | undefined {
  let results = [word];
  for (let round = 0; round < 64; round++) {
    const next: string[] = [];
    let changed = false;
    for (const item of results) {
      const expanded = expandFirstBrace(item);
      if (expanded) {
        changed = true;
        next.push(...expanded);
      } else next.push(item);
      if (next.length > MAX_BRACE_WORDS) return undefined;
    }
    results = next;
    if (!changed) return results;
  }
  return results;
}

function expandFirstBrace(word: string): string[] | undefined {
  for (let open = word.indexOf('{'); open >= 0; open = word.indexOf('{', open + 1)) {
    if (word[open - 1] === '$') continue;
    let depth = 0;
    const commas: number[] = [];
    for (let j = open; j < word.length; j++) {
      const c = word[j];
      if (c === '{') depth++;
      else if (c === '}') {
        depth--;
        if (depth === 0) {
          const prefix = word.slice(0, open);
          const suffix = word.slice(j + 1);
          const body = word.slice(open + 1, j);
          if (commas.length > 0) {
            const pieces: string[] = [];
            let last = open + 1;
            for (const comma of commas) {
              pieces.push(word.slice(last, comma));
              last = comma + 1;
            }
            pieces.push(word.slice(last, j));
            return pieces.map((piece) => prefix + piece + suffix);
          }
          const range = expandRange(body);
          if (range) return range.map((piece) => prefix + piece + suffix);
          break;
        }
      } else if (c === ',' && depth === 1) commas.push(j);
    }
  }
  return undefined;
}

function expandRange(body: string): string[] | undefined {
  const numeric = /^(-?[0-9]+)\.\.(-?[0-9]+)(?:\.\.(-?[0-9]+))?$/.exec(body);
  if (numeric) {
    const from = Number(numeric[1]);
    const to = Number(numeric[2]);
    const step = Math.abs(Number(numeric[3] ?? 1)) || 1;
    if (Math.abs(to - from) / step > MAX_BRACE_WORDS) return Array.from({ length: MAX_BRACE_WORDS + 1 }, () => '');
    const out: string[] = [];
    for (let n = from; from <= to ? n <= to : n >= to; n += from <= to ? step : -step) out.push(String(n));
    return out;
  }
  const letters = /^([A-Za-z])\.\.([A-Za-z])$/.exec(body);
  if (letters) {
    const from = letters[1]!.charCodeAt(0);
    const to = letters[2]!.charCodeAt(0);
    const out: string[] = [];
    for (let n = from; from <= to ? n <= to : n >= to; n += from <= to ? 1 : -1) out.push(String.fromCharCode(n));
    return out;
  }
  return undefined;
}

/** A here-document or here-string feeds the command's stdin: a shell runs it, an interpreter too. */
function feedStdin(reader: MutablePart, body: string, state: SplitState, depth: number): void {
  const stdin = stdinProgram(reader);
  if (stdin === 'shell')
    parseShellString(body, state, {
      depth: depth + 1,
      via: 'heredoc',
      dir: reader.dir,
      pipes: reader.pipes,
      judgeOnly: reader.judgeOnly,
    });
  else if (stdin !== undefined) addCodePart(reader, stdin, body, state, depth);
}

/** Does `upstream` write into `downstream`'s stdin (an earlier stage of a pipeline both are in)? */
export function feeds(upstream: CommandPart, downstream: CommandPart): boolean {
  return upstream.pipes.some(([pipeline, stage]) =>
    downstream.pipes.some(([otherPipeline, otherStage]) => otherPipeline === pipeline && otherStage > stage),
  );
}

/** What a literal writer sends down a pipe: echo's and printf's words, `cat <<< text`. */
function pipedData(writer: CommandPart): string | undefined {
  if (writer.kind !== 'command') return undefined;
  const name = commandName(writer.argv[0]);
  if (name === 'echo') {
    let j = 1;
    let escapes = false;
    while (j < writer.argv.length && /^-[neE]+$/.test(writer.argv[j]!)) escapes ||= writer.argv[j++]!.includes('e');
    const text = writer.argv.slice(j).join(' ');
    return escapes ? unescapeLiteral(text) : text;
  }
  if (name === 'printf') {
    const args = writer.argv.slice(1);
    if (args[0] === '--') args.shift();
    let k = 1;
    const format = unescapeLiteral(args[0] ?? '');
    const text = format.replace(/%[-+ #0-9.]*([sbdqc%])/g, (whole, conversion: string) =>
      conversion === '%' ? '%' : conversion === 'b' ? unescapeLiteral(args[k++] ?? '') : (args[k++] ?? ''),
    );
    return k < args.length ? `${text} ${args.slice(k).join(' ')}` : text;
  }
  if (name === 'cat' && writer.argv.length === 1) return writer.redirects.find((r) => r.op === '<<<')?.target;
  return undefined;
}

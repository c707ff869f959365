/**
 * lmsh: a natural-language request → a suggested shell command, from the team's aliases and the
 * seed's rules. It only builds a string: nothing here (or anywhere in tools/) runs a process.
 *
 * The seed's algorithm, with its bugs fixed on purpose:
 * - triggers and aliases match whole words, in order (the seed's substring test let "ls" match
 *   "tools" and "ps" match "steps");
 * - the longest alias that matches wins (the seed took the first one added);
 * - `{query}` is filled from the request (quoted text, else the words after the trigger) and
 *   single-quoted for the shell, so text such as `$(rm -rf ~)` stays text; without one the command
 *   carries a quoted `<pattern>` and `placeholders` names it (the seed returned `{query}` literally).
 */
export interface Translation {
  command: string;
  confidence: number;
  alternatives: string[];
  explanation: string;
  /** What the caller still has to fill in (a quoted `<name>` in the command). */
  placeholders: string[];
  /** Always true: the answer is a command to read, never something that ran. */
  suggestion: true;
  executed: false;
}

export interface Alias {
  alias: string;
  command: string;
}

interface Rule {
  triggers: string[];
  command: string;
  base: number;
  /** The rule takes an argument: `{query}` in its command. */
  argument?: string;
}

/** The seed's rules (its JS fallback), in its order. */
export const LMSH_RULES: readonly Rule[] = [
  { triggers: ['list files', 'show files', 'ls', 'dir'], command: 'ls -la', base: 0.95 },
  { triggers: ['go home', 'home directory'], command: 'cd ~', base: 0.95 },
  { triggers: ['go back', 'go up', 'parent'], command: 'cd ..', base: 0.95 },
  { triggers: ['current directory', 'where am i', 'pwd'], command: 'pwd', base: 0.95 },
  { triggers: ['git status', 'check git', 'what changed'], command: 'git status', base: 0.95 },
  { triggers: ['git log', 'commit history', 'show commits'], command: 'git log --oneline -20', base: 0.9 },
  { triggers: ['git diff', 'show changes'], command: 'git diff', base: 0.9 },
  { triggers: ['git push', 'push changes'], command: 'git push', base: 0.9 },
  { triggers: ['git pull', 'pull changes', 'get latest'], command: 'git pull', base: 0.9 },
  { triggers: ['git branch', 'list branches'], command: 'git branch -a', base: 0.9 },
  { triggers: ['disk space', 'disk usage', 'df'], command: 'df -h', base: 0.95 },
  { triggers: ['running processes', 'show processes', 'ps'], command: 'ps aux', base: 0.9 },
  { triggers: ['system info', 'uname'], command: 'uname -a', base: 0.9 },
  { triggers: ['clear screen', 'clear', 'cls'], command: 'clear', base: 0.95 },
  {
    triggers: ['search in files', 'grep', 'find text'],
    command: 'grep -r -- {query} .',
    base: 0.85,
    argument: 'pattern',
  },
  { triggers: ['find file', 'search for file'], command: 'find . -name {query}', base: 0.85, argument: 'name' },
];

/** Words that introduce an argument rather than being part of it ("find file named x"). */
const FILLER = new Set(['for', 'named', 'called', 'with', 'containing', 'text', 'file', 'files']);
const MAX_ARGUMENT = 200;

interface Token {
  word: string;
  raw: string;
}

/**
 * Words of a request: split at white space, compared without case or surrounding punctuation (a
 * token of punctuation alone has an empty word, matches nothing, and stays in an argument).
 */
function tokens(text: string): Token[] {
  return text
    .split(/\s+/u)
    .filter((raw) => raw.length > 0)
    .map((raw) => ({ raw, word: raw.toLowerCase().replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '') }));
}

/** An alias or trigger as the words it is matched by. */
export function phraseWords(text: string): string[] {
  return tokens(text)
    .map((t) => t.word)
    .filter((word) => word.length > 0);
}

/** Where the words of `phrase` start in `words` (whole words, in order), or -1. */
function findPhrase(words: readonly Token[], phrase: readonly string[]): number {
  if (phrase.length === 0) return -1;
  for (let at = 0; at + phrase.length <= words.length; at++)
    if (phrase.every((word, k) => words[at + k]!.word === word)) return at;
  return -1;
}

/** Single quotes for the shell unless the text is plainly safe; `'` inside becomes `'\''`. */
export function shellQuote(text: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The argument a request gives: quoted text, else the words after the trigger without fillers. */
function argumentOf(input: string, words: readonly Token[], after: number): string | undefined {
  const quoted = /"([^"]+)"|'([^']+)'|`([^`]+)`/u.exec(input);
  let value = quoted ? (quoted[1] ?? quoted[2] ?? quoted[3])! : undefined;
  if (value === undefined) {
    const rest = words.slice(after);
    while (rest.length > 0 && FILLER.has(rest[0]!.word)) rest.shift();
    value = rest.map((t) => t.raw).join(' ');
  }
  // A suggestion with a line break or a control character would hide what it does: leave it out.
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  if (value.length === 0 || value.length > MAX_ARGUMENT || /[\u0000-\u001f\u007f]/u.test(value)) return undefined;
  return value;
}

const NO_MATCH: Omit<Translation, 'suggestion' | 'executed'> = {
  command: '',
  confidence: 0,
  alternatives: [],
  explanation: 'No matching pattern found',
  placeholders: [],
};

const round = (value: number) => Math.round(value * 1000) / 1000;

/** Translate a request: the longest matching alias, else the best rule (score = base + 0.2 × trigger share). */
export function translate(input: string, aliases: readonly Alias[] = []): Translation {
  const words = tokens(input);
  const length = Math.max(1, input.trim().toLowerCase().length);
  let best: { alias: Alias; words: number; chars: number } | undefined;
  for (const alias of aliases) {
    const phrase = phraseWords(alias.alias);
    if (findPhrase(words, phrase) < 0) continue;
    const size = { words: phrase.length, chars: alias.alias.length };
    if (!best || size.words > best.words || (size.words === best.words && size.chars > best.chars))
      best = { alias, ...size };
  }
  if (best)
    return {
      command: best.alias.command,
      confidence: 1,
      alternatives: [],
      explanation: `Custom alias: ${best.alias.alias}`,
      placeholders: [],
      suggestion: true,
      executed: false,
    };
  const matches: { command: string; score: number; explanation: string; placeholders: string[] }[] = [];
  for (const rule of LMSH_RULES) {
    for (const trigger of rule.triggers) {
      const phrase = phraseWords(trigger);
      const at = findPhrase(words, phrase);
      if (at < 0) continue;
      let score = rule.base + (0.2 * trigger.length) / length;
      let command = rule.command;
      const placeholders: string[] = [];
      if (rule.argument) {
        const value = argumentOf(input, words, at + phrase.length);
        if (value === undefined) {
          placeholders.push(rule.argument);
          score -= 0.2;
        }
        command = command.replace('{query}', shellQuote(value ?? `<${rule.argument}>`));
      }
      matches.push({ command, score, explanation: `Matched "${trigger}"`, placeholders });
      break;
    }
  }
  if (matches.length === 0) return { ...NO_MATCH, suggestion: true, executed: false };
  matches.sort((a, b) => b.score - a.score);
  const [top, ...rest] = matches;
  const alternatives = [...new Set(rest.map((m) => m.command))].filter((c) => c !== top!.command).slice(0, 3);
  return {
    command: top!.command,
    confidence: round(Math.min(top!.score, 1)),
    alternatives,
    explanation: `${top!.explanation} (a suggestion: nothing was run)`,
    placeholders: top!.placeholders,
    suggestion: true,
    executed: false,
  };
}

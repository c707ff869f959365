/**
 * The seed's task router (complexity → strategy and model), from the text of a task alone.
 * Signals vote for a class with a weight; the class with the most weight wins. Fixed on purpose:
 * - a signal votes only on evidence: description length only when there is a description, the
 *   dependency count only when blockedBy is given. The seed let a missing description and missing
 *   blockers vote "simple" (0.2 + 0.3 > any keyword's 0.4), so every short task was simple, even
 *   "Refactor authentication module". With no signal at all the answer is medium, confidence 0;
 * - keywords match whole words (with common endings: refactoring, migrations), not substrings (the
 *   seed's "log" matched "login" and "catalog", "env" "environment", "css" "discuss").
 * The history signal (never fed in the seed) is not kept.
 */
export type Complexity = 'simple' | 'medium' | 'complex';

export interface RouteInput {
  subject: string;
  description?: string;
  blockedBy?: readonly string[];
}

export interface Signal {
  name: 'keywords' | 'description' | 'dependencies';
  votes: Complexity;
  weight: number;
  detail: string;
}

export interface Route {
  complexity: Complexity;
  strategy: 'direct' | 'supervised' | 'swarm';
  model: 'haiku' | 'sonnet' | 'opus';
  confidence: number;
  signals: Signal[];
}

const COMPLEX_WORDS = [
  'architect',
  'architecture',
  'refactor',
  'redesign',
  'migrate',
  'optimize',
  'security',
  'authentication',
  'authorization',
  'database schema',
  'multi-file',
  'cross-module',
  'performance',
  'scalability',
  'distributed',
  'concurrent',
  'concurrency',
  'parallel',
  'real-time',
];

const SIMPLE_WORDS = [
  'lint',
  'format',
  'typo',
  'rename',
  'comment',
  'log',
  'readme',
  'docs',
  'version',
  'bump',
  'config',
  'env',
  'import',
  'export',
  'style',
  'css',
  'color',
  'spacing',
];

/** A keyword as a whole word, with common endings; words of a phrase separated by spaces or hyphens. */
function keywordPattern(word: string): RegExp {
  const parts = word.split(/[\s-]+/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const last = parts.pop()!;
  const stem = last.endsWith('e') ? last.slice(0, -1) : last;
  const endings = 's|es|ed|d|ing|ings|ion|ions|ation|ations|ure|ures|ting|ter|ters';
  const ending = `(?:${last.endsWith('e') ? 'e|' : ''}${endings})?`;
  const head = parts.map((part) => `${part}[\\s-]+`).join('');
  return new RegExp(`(?<![\\p{L}\\p{N}_])${head}${stem}${ending}(?![\\p{L}\\p{N}_])`, 'u');
}

const COMPLEX = COMPLEX_WORDS.map((word) => ({ word, pattern: keywordPattern(word) }));
const SIMPLE = SIMPLE_WORDS.map((word) => ({ word, pattern: keywordPattern(word) }));

const PLAN = {
  simple: { strategy: 'direct', model: 'haiku' },
  medium: { strategy: 'supervised', model: 'sonnet' },
  complex: { strategy: 'swarm', model: 'opus' },
} as const;

export function classifyTask(input: RouteInput): Route {
  const text = `${input.subject} ${input.description ?? ''}`.toLowerCase();
  const signals: Signal[] = [];
  const complex = COMPLEX.filter((k) => k.pattern.test(text)).map((k) => k.word);
  const simple = SIMPLE.filter((k) => k.pattern.test(text)).map((k) => k.word);
  if (complex.length > 0 || simple.length > 0) {
    const votes: Complexity =
      complex.length >= 2
        ? 'complex'
        : complex.length >= 1 && simple.length === 0
          ? 'medium'
          : simple.length >= 1 && complex.length === 0
            ? 'simple'
            : 'medium';
    signals.push({ name: 'keywords', votes, weight: 0.4, detail: [...complex, ...simple].join(', ') });
  }
  const description = input.description?.trim() ?? '';
  if (description.length > 0) {
    const length = description.length;
    const votes: Complexity = length <= 200 ? 'simple' : length <= 800 ? 'medium' : 'complex';
    signals.push({ name: 'description', votes, weight: 0.2, detail: `${length} characters` });
  }
  if (input.blockedBy !== undefined) {
    const count = new Set(input.blockedBy).size;
    const votes: Complexity = count === 0 ? 'simple' : count <= 2 ? 'medium' : 'complex';
    signals.push({ name: 'dependencies', votes, weight: 0.3, detail: `${count} blockers` });
  }
  const total = signals.reduce((sum, s) => sum + s.weight, 0);
  if (total === 0) return { complexity: 'medium', ...PLAN.medium, confidence: 0, signals };
  // Rounded: 0.2 + 0.1 must tie with 0.3.
  const score = (c: Complexity) =>
    Math.round(signals.filter((s) => s.votes === c).reduce((sum, s) => sum + s.weight, 0) * 1e9) / 1e9;
  const [s, m, c] = [score('simple'), score('medium'), score('complex')];
  const complexity: Complexity = c >= s && c >= m ? 'complex' : m >= s ? 'medium' : 'simple';
  const confidence = Math.round((score(complexity) / total) * 1000) / 1000;
  return { complexity, ...PLAN[complexity], confidence, signals };
}

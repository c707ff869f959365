import { documentErrors } from '../errors.js';

export interface Term {
  word: string;
  prefix: boolean;
}

/** At most this many words are searched for. */
const MAX_TERMS = 24;

/**
 * The words of a query: letters, digits and _ (anything else separates them), a trailing `*` for a
 * prefix. Only these reach the engines' query syntax, each quoted, so ordinary text (quotes, colons,
 * AND, NEAR, parentheses) never is a syntax error; a query with no word at all is 400 naming `query`.
 */
export function searchTerms(query: string): Term[] {
  const seen = new Set<string>();
  const terms: Term[] = [];
  for (const m of query.matchAll(/([\p{L}\p{N}_]+)(\*?)/gu)) {
    const term = { word: m[1]!.toLowerCase(), prefix: m[2] === '*' };
    const key = `${term.word}${term.prefix ? '*' : ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    terms.push(term);
  }
  if (terms.length === 0) throw documentErrors.KNOWLEDGE_EMPTY_QUERY({}, { field: 'query' });
  return terms.slice(0, MAX_TERMS);
}

const STOP = new Set(
  (
    'a an and are as at be but by can do does for from has have how i if in into is it its me my no not of on ' +
    'or our so that the their then there these this to up was we were what when where which who why will with ' +
    'you your please should would could make use using need task work start about all any also each just like ' +
    'new now only other same some such than them they too very via'
  ).split(' '),
);

/**
 * The words of a long text (a worker's prompt, a task) worth searching for: no stop words, no
 * one- or two-letter words, the first `max` distinct ones; none is fine (nothing is searched).
 */
export function keywords(text: string, max = 16): Term[] {
  const words = new Set<string>();
  for (const m of text.matchAll(/[\p{L}\p{N}_]+/gu)) {
    const word = m[0].toLowerCase();
    if (word.length < 3 || STOP.has(word) || /^\d+$/.test(word)) continue;
    words.add(word);
    if (words.size >= max) break;
  }
  return [...words].map((word) => ({ word, prefix: false }));
}

/** FTS5's MATCH text: each word quoted (a `"` cannot occur in one), joined by AND or OR. */
export function fts5Match(terms: readonly Term[], mode: 'all' | 'any'): string {
  return terms.map((term) => `"${term.word}"${term.prefix ? '*' : ''}`).join(mode === 'all' ? ' ' : ' OR ');
}

/** to_tsquery's text: each word as a lexeme (no operator characters reach it), joined by & or |. */
export function tsQuery(terms: readonly Term[], mode: 'all' | 'any'): string {
  return terms.map((term) => `'${term.word}'${term.prefix ? ':*' : ''}`).join(mode === 'all' ? ' & ' : ' | ');
}

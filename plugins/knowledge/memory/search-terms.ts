import type { ApiError } from '../../../core/index.js';

/** At most this many words are searched for. */
const MAX_TERMS = 20;

export interface SearchTerm {
  word: string;
  prefix: boolean;
}

/**
 * The words of a query: letters, digits and _ (anything else separates them), a trailing `*` for a
 * prefix. Nothing else of the query reaches FTS5 or to_tsquery, so no query is a syntax error
 * there (a 500); a query without a word is the caller's error (`empty`, a 400 naming the field).
 */
export function searchTerms(query: string, empty: () => ApiError): SearchTerm[] {
  const terms = [...query.matchAll(/([\p{L}\p{N}_]+)(\*?)/gu)].map((m) => ({
    word: m[1]!.toLowerCase(),
    prefix: m[2] === '*',
  }));
  if (terms.length === 0) throw empty();
  return terms.slice(0, MAX_TERMS);
}

/** An FTS5 MATCH expression: every word quoted (so none is an operator), all must match. */
export function ftsMatch(terms: readonly SearchTerm[]): string {
  return terms.map((term) => `"${term.word}"${term.prefix ? '*' : ''}`).join(' ');
}

/** A to_tsquery expression: the same words and prefixes, all must match. */
export function tsQuery(terms: readonly SearchTerm[]): string {
  return terms.map((term) => `${term.word}${term.prefix ? ':*' : ''}`).join(' & ');
}

/** Scores rounded so answers compare across engines' float noise. */
export function roundScore(score: unknown): number {
  return Math.round(Number(score) * 1e6) / 1e6;
}

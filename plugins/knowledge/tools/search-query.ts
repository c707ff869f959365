import { toolsErrors } from './errors.js';

/** One thing a query looks for: a word, or a phrase (words in a row); `prefix`: the last word is a prefix. */
export interface SearchTerm {
  words: string[];
  prefix: boolean;
}

/** At most this many terms are searched for; more are ignored. */
export const MAX_TERMS = 20;

/**
 * The query language of /search, the same on SQLite and PostgreSQL: words (all must match),
 * `word*` for a prefix, `"a few words"` for a phrase. Words are letters and digits; anything else
 * separates them (snake_case is the phrase "snake case"). Nothing the caller types reaches an
 * engine's syntax, so the engines never fail on a query: what is wrong with one is said here, as a
 * 400 naming the query: a quote left open, a `*` that ends no word, no word at all.
 */
export function parseSearchQuery(query: string): SearchTerm[] {
  const terms: SearchTerm[] = [];
  const quotes = [...query].filter((c) => c === '"').length;
  if (quotes % 2 === 1)
    throw toolsErrors.KNOWLEDGE_SEARCH_SYNTAX({ reason: 'a quote (") is not closed' }, { field: 'query' });
  const parts = query.split('"');
  parts.forEach((part, i) => {
    if (i % 2 === 1) {
      const words = part.match(/[\p{L}\p{N}]+/gu) ?? [];
      if (words.length > 0) terms.push({ words: words.map((w) => w.toLowerCase()), prefix: false });
      return;
    }
    for (const match of part.matchAll(/([\p{L}\p{N}_]*)(\*?)/gu)) {
      const [whole, word, star] = match;
      if (whole === '') continue;
      const words = word!.match(/[\p{L}\p{N}]+/gu) ?? [];
      if (star && words.length === 0)
        throw toolsErrors.KNOWLEDGE_SEARCH_SYNTAX(
          { reason: 'a * must end a word (word* for a prefix)' },
          { field: 'query' },
        );
      if (words.length > 0) terms.push({ words: words.map((w) => w.toLowerCase()), prefix: star === '*' });
    }
  });
  if (terms.length === 0) throw toolsErrors.KNOWLEDGE_SEARCH_EMPTY_QUERY({}, { field: 'query' });
  return terms.slice(0, MAX_TERMS);
}

/** FTS5's MATCH text: each term a quoted string (a phrase when several words), `*` after a prefix. */
export function fts5Match(terms: readonly SearchTerm[]): string {
  return terms.map((term) => `"${term.words.join(' ')}"${term.prefix ? '*' : ''}`).join(' ');
}

/** to_tsquery's text: words joined by <-> in a phrase, :* after a prefix, terms joined by &. */
export function tsQuery(terms: readonly SearchTerm[]): string {
  return terms
    .map((term) => {
      const words = term.words.map((word, k) => (term.prefix && k === term.words.length - 1 ? `${word}:*` : word));
      return words.length > 1 ? `(${words.join(' <-> ')})` : words[0]!;
    })
    .join(' & ');
}

/** The sessions plugin's query language (words and word*): a phrase becomes its words. */
export function sessionsQuery(terms: readonly SearchTerm[]): string {
  return terms.map((term) => `${term.words.join(' ')}${term.prefix ? '*' : ''}`).join(' ');
}

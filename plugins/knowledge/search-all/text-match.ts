import type { Term } from '../documents/terms.js';

const escapeRe = (word: string) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A regular expression finding any of the terms at a word start (a prefix term: any word it begins). */
export function termPattern(terms: readonly Term[]): RegExp {
  const alternatives = terms.map((term) => `${escapeRe(term.word)}${term.prefix ? '[\\p{L}\\p{N}_]*' : ''}`);
  return new RegExp(`(?<![\\p{L}\\p{N}_])(?:${alternatives.join('|')})(?![\\p{L}\\p{N}_])`, 'giu');
}

/** Which of the terms occur in the text, and how often each. */
export function termCounts(terms: readonly Term[], text: string): number[] {
  return terms.map((term) => text.match(termPattern([term]))?.length ?? 0);
}

/** The share of the query's terms a text contains (0–1): what ranks hits of different kinds together. */
export function coverage(terms: readonly Term[], text: string): number {
  if (terms.length === 0) return 0;
  return termCounts(terms, text).filter((n) => n > 0).length / terms.length;
}

/**
 * A text score for things searched here rather than by an engine (mail, tasks, handoffs): BM25's
 * saturating term frequency over the terms found, with its length normalisation (k1 1.2, b 0.75,
 * an average length of 400 characters), no idf (one text at a time).
 */
export function textScore(terms: readonly Term[], text: string): number {
  const k1 = 1.2;
  const b = 0.75;
  const norm = 1 - b + (b * text.length) / 400;
  return termCounts(terms, text).reduce((sum, tf) => sum + (tf * (k1 + 1)) / (tf + k1 * norm), 0);
}

/** The part of a text around the first term found, the terms between <b> and </b>, `…` where cut. */
export function highlight(terms: readonly Term[], text: string, width = 200): string {
  const pattern = termPattern(terms);
  const first = pattern.exec(text);
  pattern.lastIndex = 0;
  let start = first ? Math.max(0, first.index - Math.floor(width / 3)) : 0;
  if (start > 0) {
    const space = text.indexOf(' ', start);
    if (space !== -1 && space < start + 20) start = space + 1;
  }
  const end = Math.min(text.length, start + width);
  const piece = text.slice(start, end).replace(pattern, (word) => `<b>${word}</b>`);
  return `${start > 0 ? '…' : ''}${piece}${end < text.length ? '…' : ''}`;
}

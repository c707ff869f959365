/** One piece of a document as it is indexed. */
export interface Chunk {
  /** The section's heading path ("Setup > Tests"), empty before the first heading. */
  heading: string;
  text: string;
}

export interface ChunkOptions {
  format: 'markdown' | 'text';
  /** Longest chunk text, in characters. */
  maxChars: number;
  /** Characters a cut chunk repeats of the end of the one before it. */
  overlapChars: number;
}

const HEADING = /^(#{1,6})[ \t]+(.+?)[ \t#]*$/;
const FENCE = /^(```|~~~)/;

interface Section {
  heading: string;
  lines: string[];
}

/**
 * Markdown sections, each under its heading path: `## Tests` inside `# Setup` is "Setup > Tests".
 * A `#` line inside a fenced code block is code, not a heading.
 */
function sections(content: string, format: ChunkOptions['format']): Section[] {
  const lines = content.replace(/\r\n?/g, '\n').split('\n');
  if (format === 'text') return [{ heading: '', lines }];
  const out: Section[] = [{ heading: '', lines: [] }];
  const path: string[] = [];
  let fenced = false;
  for (const line of lines) {
    if (FENCE.test(line.trimStart())) fenced = !fenced;
    const heading = fenced ? null : HEADING.exec(line);
    if (!heading) {
      out[out.length - 1]!.lines.push(line);
      continue;
    }
    const level = heading[1]!.length;
    path.length = Math.min(path.length, level - 1);
    while (path.length < level - 1) path.push('');
    path.push(heading[2]!.trim());
    out.push({ heading: path.filter(Boolean).join(' > '), lines: [] });
  }
  return out;
}

/** Where to cut text at or before `end`: a paragraph, else a line, a sentence, a space; else at `end`. */
function cutAt(text: string, start: number, end: number): number {
  if (end >= text.length) return text.length;
  const floor = start + Math.floor((end - start) / 2);
  for (const mark of ['\n\n', '\n', '. ', ' ']) {
    const at = text.lastIndexOf(mark, end - mark.length);
    if (at >= floor) return at + mark.length;
  }
  return end;
}

/** Split one section's text by size; each piece after the first starts `overlap` characters back, at a word. */
function bySize(text: string, maxChars: number, overlapChars: number): string[] {
  if (text.length <= maxChars) return [text];
  const pieces: string[] = [];
  let start = 0;
  while (start < text.length) {
    const end = cutAt(text, start, start + maxChars);
    pieces.push(text.slice(start, end).trim());
    if (end >= text.length) break;
    let next = Math.max(end - overlapChars, start + 1);
    // Start the overlap at a word, not in the middle of one.
    const space = text.indexOf(' ', next);
    if (overlapChars > 0 && space !== -1 && space < end) next = space + 1;
    start = overlapChars > 0 ? next : end;
  }
  return pieces.filter((piece) => piece.length > 0);
}

/**
 * A document as chunks: by headings first (markdown), then by size with overlap. Sections with no
 * text of their own (a heading followed at once by a sub-heading) make no chunk; a heading-only
 * document still makes one, so its words are found.
 */
export function chunkDocument(content: string, options: ChunkOptions): Chunk[] {
  const overlap = Math.min(options.overlapChars, Math.floor(options.maxChars / 2));
  const chunks: Chunk[] = [];
  const all = sections(content, options.format);
  for (const section of all) {
    const text = section.lines.join('\n').trim();
    if (!text) continue;
    for (const piece of bySize(text, options.maxChars, overlap)) chunks.push({ heading: section.heading, text: piece });
  }
  if (chunks.length === 0) {
    const headings = all.map((section) => section.heading).filter(Boolean);
    if (headings.length > 0) chunks.push({ heading: headings[headings.length - 1]!, text: headings.join('\n') });
  }
  return chunks;
}

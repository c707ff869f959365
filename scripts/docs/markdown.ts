/** Markers around the part of a README the generator owns; everything outside them is hand-written. */
export const GENERATED_START = '<!-- generated:start -->';
export const GENERATED_END = '<!-- generated:end -->';

/** Text safe inside a Markdown table cell: pipes escaped, line breaks flattened. */
export function cell(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/\s*\n\s*/g, ' ');
}

/** Inline code; a longer fence when the text itself holds backticks. */
export function code(text: string): string {
  if (!text.includes('`')) return `\`${text}\``;
  return `\`\` ${text} \`\``;
}

/** A Markdown table. Cells are written as given: escape them with `cell` where they hold free text. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

/** A `### title` section with its body, or nothing when the body is empty (empty sections are omitted). */
export function section(title: string, body: string | undefined): string {
  return body ? `### ${title}\n\n${body}` : '';
}

/**
 * Put `generated` between the markers of `readme`, leaving the rest byte for byte. Without markers
 * they are appended at the end. A README with one marker, or with them out of order, is refused
 * rather than guessed at, since the hand-written part could be lost.
 */
export function spliceGenerated(readme: string, generated: string): string {
  const start = readme.indexOf(GENERATED_START);
  const end = readme.indexOf(GENERATED_END);
  const block = `${GENERATED_START}\n${generated.trim()}\n${GENERATED_END}`;
  if (start === -1 && end === -1) return `${readme.trimEnd()}\n\n${block}\n`;
  if (start === -1 || end === -1 || end < start) {
    throw new Error(`the markers ${GENERATED_START} and ${GENERATED_END} must both appear, in that order`);
  }
  return readme.slice(0, start) + block + readme.slice(end + GENERATED_END.length);
}

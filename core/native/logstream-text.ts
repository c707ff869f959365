/**
 * Raw terminal output to the text a person saw on the line: ANSI escape sequences removed and
 * cursor moves within the line (CR, backspace, CSI K/G/C/D) applied, one cell per character.
 * Mirrors `crates/logstream/src/text.rs`.
 */

/** Cursor moves past this column are clamped, so `ESC[99999999G` cannot allocate a huge line. */
export const MAX_COLUMN = 10_000;

/** Control characters (but tab), DEL and C1 controls: without them a line needs no rendering. */
// eslint-disable-next-line no-control-regex -- finding control characters is this regex's job
const NEEDS_RENDER = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/;

function param(params: string, fallback: number): number {
  const first = params.split(';')[0] ?? '';
  if (first === '') return fallback;
  if (!/^[0-9]+$/.test(first)) return fallback;
  let n = 0;
  for (const c of first) n = Math.min(n * 10 + (c.charCodeAt(0) - 48), MAX_COLUMN * 10);
  return n;
}

const inRange = (c: string | undefined, lo: number, hi: number): boolean =>
  c !== undefined && c.codePointAt(0)! >= lo && c.codePointAt(0)! <= hi;

export function render(line: string): string {
  if (!NEEDS_RENDER.test(line)) return line;
  const cells: string[] = [];
  let cursor = 0;
  const put = (c: string): void => {
    if (cursor < cells.length) cells[cursor] = c;
    else {
      while (cells.length < cursor) cells.push(' ');
      cells.push(c);
    }
    cursor++;
  };
  const csi = (params: string, fin: string): void => {
    switch (fin) {
      case 'K': {
        const mode = param(params, 0);
        if (mode === 0) cells.length = Math.min(cells.length, cursor);
        else if (mode === 1) cells.fill(' ', 0, Math.min(cursor + 1, cells.length));
        else if (mode === 2) cells.length = 0;
        break;
      }
      case 'G':
        cursor = Math.min(Math.max(param(params, 1), 1), MAX_COLUMN) - 1;
        break;
      case 'C':
        cursor = Math.min(cursor + Math.max(param(params, 1), 1), MAX_COLUMN);
        break;
      case 'D':
        cursor = Math.max(cursor - Math.max(param(params, 1), 1), 0);
        break;
    }
  };
  const chars = Array.from(line);
  let i = 0;
  while (i < chars.length) {
    const c = chars[i++]!;
    const code = c.codePointAt(0)!;
    if (c === '\x1b') {
      const next = chars[i];
      if (next === undefined) break;
      i++;
      if (next === '[') {
        const start = i;
        while (inRange(chars[i], 0x30, 0x3f)) i++;
        const params = chars.slice(start, i).join('');
        while (inRange(chars[i], 0x20, 0x2f)) i++;
        if (inRange(chars[i], 0x40, 0x7e)) csi(params, chars[i++]!);
      } else if (next === ']' || next === 'P' || next === 'X' || next === '^' || next === '_') {
        // OSC, DCS, SOS, PM, APC: a string up to BEL (OSC) or ST (ESC \).
        while (i < chars.length) {
          if (chars[i] === '\x07' && next === ']') {
            i++;
            break;
          }
          if (chars[i] === '\x1b' && chars[i + 1] === '\\') {
            i += 2;
            break;
          }
          i++;
        }
      } else if (inRange(next, 0x20, 0x2f)) {
        while (inRange(chars[i], 0x20, 0x2f)) i++;
        if (i < chars.length) i++;
      }
    } else if (c === '\r') cursor = 0;
    else if (c === '\b') cursor = Math.max(cursor - 1, 0);
    else if (c === '\t') put('\t');
    else if (code <= 0x1f || (code >= 0x7f && code <= 0x9f)) continue;
    else put(c);
  }
  return cells.join('');
}

import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';

/**
 * The last whole lines of a log (at most `maxBytes` of it), and whether the log ends with a whole
 * line: a run killed mid-write leaves half a line, which is neither shown nor written after.
 */
export function readLogTail(path: string, maxBytes = 256 * 1024): { lines: string[]; complete: boolean } {
  if (!existsSync(path)) return { lines: [], complete: true };
  const size = statSync(path).size;
  if (size === 0) return { lines: [], complete: true };
  const start = Math.max(0, size - maxBytes);
  const buffer = Buffer.alloc(size - start);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, buffer, 0, buffer.length, start);
  } finally {
    closeSync(fd);
  }
  const complete = buffer[buffer.length - 1] === 0x0a;
  // Started mid-file: the first line is a piece of one.
  const from = start > 0 ? buffer.indexOf(0x0a) + 1 : 0;
  const to = buffer.lastIndexOf(0x0a) + 1;
  if (to <= from) return { lines: [], complete };
  const lines = buffer
    .toString('utf8', from, to - 1)
    .split('\n')
    .map((line) => line.replace(/\r$/, ''));
  return { lines, complete };
}

import { closeSync, existsSync, openSync, readSync, statSync, watch, type FSWatcher } from 'node:fs';
import type { LogEvent, LogStreamLike } from '../../core/index.js';

export interface LogLine {
  /** Byte offset of the line's start in the log: a cursor that survives restarts. */
  offset: number;
  text: string;
}

export type LinesHandler = (lines: LogLine[], nextOffset: number, events: LogEvent[]) => void;

/**
 * Follows a worker's log from a byte offset, handing over complete lines, and the events the
 * logstream parser (native crate or its TypeScript twin) makes of them: the same bytes, read once,
 * fed to the parser in one call per batch. It watches the file and polls as a backstop (a watch can
 * miss events); `offset` only advances past whole lines, so a line split across writes is read
 * once, complete.
 */
export class LogFollower {
  readonly #path: string;
  readonly #onLines: LinesHandler;
  readonly #parser: LogStreamLike | undefined;
  #offset: number;
  #watcher: FSWatcher | undefined;
  #timer: NodeJS.Timeout | undefined;
  #reading = false;

  constructor(path: string, offset: number, onLines: LinesHandler, parser?: LogStreamLike) {
    this.#path = path;
    this.#offset = offset;
    this.#onLines = onLines;
    this.#parser = parser;
  }

  get offset(): number {
    return this.#offset;
  }

  start(pollMs = 250): void {
    this.#timer = setInterval(() => this.poll(), pollMs);
    this.#timer.unref();
    if (existsSync(this.#path)) this.#watch();
    this.poll();
  }

  /**
   * Watch the log for changes. A watcher that fails (the file removed or its dir archived) emits
   * 'error', which unheard would end the server: it is dropped, and polling, which sets a new one
   * up once the log has something to read, carries on.
   */
  #watch(): void {
    let watcher: FSWatcher;
    try {
      watcher = watch(this.#path, () => this.poll());
    } catch {
      return; // Polling alone still works.
    }
    watcher.on('error', () => {
      watcher.close();
      if (this.#watcher === watcher) this.#watcher = undefined;
    });
    this.#watcher = watcher;
  }

  /** Read whatever complete lines are new and hand them over. */
  poll(): void {
    const batch = this.#readSafely();
    if (batch) this.#onLines(batch.lines, batch.next, batch.events);
  }

  /** Stop following and return the lines not handed over yet, for the caller to handle in order. */
  drain(): { lines: LogLine[]; next: number; events: LogEvent[] } | undefined {
    clearInterval(this.#timer);
    this.#watcher?.close();
    this.#stopped = true;
    return this.#readSafely();
  }

  /**
   * read(), for a timer, the watcher and the exit path, where a throw would end the server or
   * an exit's handling: a log that cannot be read right now (removed between the check and the
   * read) is left at the same offset, for a later poll or the next server.
   */
  #readSafely(): ReturnType<LogFollower['read']> {
    try {
      return this.read();
    } catch {
      return undefined;
    }
  }

  #stopped = false;

  /** The complete lines after the offset (advancing it), or undefined when there are none. */
  read(): { lines: LogLine[]; next: number; events: LogEvent[] } | undefined {
    if (this.#reading || !existsSync(this.#path)) return undefined;
    this.#reading = true;
    try {
      const size = statSync(this.#path).size;
      if (size <= this.#offset) return undefined;
      if (!this.#watcher && !this.#stopped) this.#watch();
      const fd = openSync(this.#path, 'r');
      try {
        const length = Math.min(size - this.#offset, 4 * 1024 * 1024);
        const buffer = Buffer.alloc(length);
        const read = readSync(fd, buffer, 0, length, this.#offset);
        const lastNewline = buffer.lastIndexOf(0x0a, read - 1);
        if (lastNewline === -1) return undefined;
        const lines: LogLine[] = [];
        let start = 0;
        while (start <= lastNewline) {
          const end = buffer.indexOf(0x0a, start);
          lines.push({ offset: this.#offset + start, text: buffer.toString('utf8', start, end).replace(/\r$/, '') });
          start = end + 1;
        }
        this.#offset += lastNewline + 1;
        const events = this.#parser ? this.#parser.feed(buffer.subarray(0, lastNewline + 1)) : [];
        return { lines, next: this.#offset, events };
      } finally {
        closeSync(fd);
      }
    } finally {
      this.#reading = false;
    }
  }

  stop(): void {
    const rest = this.drain();
    if (rest) this.#onLines(rest.lines, rest.next, rest.events);
  }
}

/** Lines of a log from a cursor (byte offset), or its last `limit` lines when no cursor is given. */
export function readLogLines(
  path: string,
  cursor: number | undefined,
  limit: number,
): { lines: LogLine[]; cursor: number } {
  if (!existsSync(path)) return { lines: [], cursor: cursor ?? 0 };
  const size = statSync(path).size;
  const fd = openSync(path, 'r');
  try {
    let start = cursor ?? Math.max(0, size - 256 * 1024);
    if (start > size) start = size;
    const length = Math.min(size - start, 4 * 1024 * 1024);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, start);
    let lines: (LogLine & { end: number })[] = [];
    let at = 0;
    // Without a cursor we started mid-file: skip to the first whole line.
    if (cursor === undefined && start > 0) at = buffer.indexOf(0x0a) + 1;
    while (at < length) {
      const end = buffer.indexOf(0x0a, at);
      if (end === -1) break;
      lines.push({
        offset: start + at,
        text: buffer.toString('utf8', at, end).replace(/\r$/, ''),
        end: start + end + 1,
      });
      at = end + 1;
    }
    if (cursor === undefined) lines = lines.slice(-limit);
    else lines = lines.slice(0, limit);
    const last = lines[lines.length - 1];
    const next = last ? last.end : (cursor ?? size);
    return { lines: lines.map(({ offset, text }) => ({ offset, text })), cursor: next };
  } finally {
    closeSync(fd);
  }
}

import { lineEvents, type LineCtx, unparsed } from './logstream-ndjson.js';
import { render } from './logstream-text.js';
import type { LogEvent, LogStreamLike, LogStreamOptions, LogStreamStats, WorkerState } from './logstream-types.js';

function invalid(message: string): Error {
  return Object.assign(new Error(message), { code: 'InvalidArg' });
}

/** An integer option of at least `min` (messages as the crate words them). */
export function countOption(value: number | undefined | null, fallback: number, min: number, name: string): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min)
    throw invalid(`${name}: must be an integer of at least ${min}`);
  return value;
}

/** A chunk as bytes, without copying a Buffer or Uint8Array. */
export function chunkBytes(chunk: Uint8Array | string): Buffer {
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  if (chunk instanceof Uint8Array)
    return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw invalid('chunk: must be a Uint8Array or a string');
}

/** Cut to at most `cap` bytes, backing off to the start of a UTF-8 character. */
function capAtChar(bytes: Buffer, cap: number): Buffer {
  if (bytes.length <= cap) return bytes;
  let cut = cap;
  while (cut > 0 && cut + 3 > cap && (bytes[cut]! & 0xc0) === 0x80) cut--;
  return bytes.subarray(0, cut);
}

const WORKER_STATES: readonly WorkerState[] = ['starting', 'ready', 'working', 'idle', 'error'];
const BLANK = /^[ \t\r\n]*$/;
const BLANK_TEXT = /^[ \t]*$/;

/**
 * The TypeScript logstream: same contract and results as `crates/logstream`. Lines are split on
 * `\n` bytes before decoding, so a character split across chunks is whole when its line decodes.
 */
export class LogStreamFallback implements LogStreamLike {
  readonly #mode: 'ndjson' | 'text';
  readonly #maxLineBytes: number;
  readonly #ringLines: number;
  readonly #ringLineBytes: number;
  readonly #previewChars: number;
  readonly #unknownDataBytes: number;
  readonly #idleMarker: string | undefined;
  readonly #errorMarker: string | undefined;
  #carry: Buffer[] = [];
  #carryKept = 0;
  #carryLen = 0;
  #offset: number;
  #bytes = 0;
  #lines = 0;
  #events = 0;
  #unparsed = 0;
  #truncated = 0;
  #state: WorkerState = 'starting';
  #lastEvent: number | undefined;
  readonly #ring: string[] = [];

  constructor(options: LogStreamOptions = {}) {
    const mode = options.mode ?? 'ndjson';
    if (mode !== 'ndjson' && mode !== 'text') throw invalid('mode: must be ndjson or text');
    this.#mode = mode;
    this.#maxLineBytes = countOption(options.maxLineBytes, 1 << 20, 1, 'maxLineBytes');
    this.#ringLines = countOption(options.ringLines, 1000, 0, 'ringLines');
    this.#ringLineBytes = countOption(options.ringLineBytes, 4096, 1, 'ringLineBytes');
    this.#previewChars = countOption(options.previewChars, 1000, 0, 'previewChars');
    this.#unknownDataBytes = countOption(options.unknownDataBytes, 4096, 0, 'unknownDataBytes');
    this.#offset = countOption(options.startOffset, 0, 0, 'startOffset');
    this.#idleMarker = options.idleMarker ?? undefined;
    this.#errorMarker = options.errorMarker ?? undefined;
    const state = options.state ?? 'starting';
    if (!WORKER_STATES.includes(state)) throw invalid('state: must be starting, ready, working, idle or error');
    this.#state = state;
  }

  get state(): WorkerState {
    return this.#state;
  }

  feed(chunk: Uint8Array | string): LogEvent[] {
    const bytes = chunkBytes(chunk);
    const events: LogEvent[] = [];
    this.#bytes += bytes.length;
    let start = 0;
    let nl: number;
    while ((nl = bytes.indexOf(10, start)) !== -1) {
      const head = bytes.subarray(start, nl);
      if (this.#carryLen === 0) this.#line(head, head.length, 1, events);
      else {
        this.#appendCarry(head);
        this.#line(this.#takeCarry(), this.#carryLen, 1, events);
        this.#carryLen = 0;
      }
      start = nl + 1;
    }
    this.#appendCarry(bytes.subarray(start));
    return this.#finish(events);
  }

  end(): LogEvent[] {
    const events: LogEvent[] = [];
    if (this.#carryLen > 0) {
      this.#line(this.#takeCarry(), this.#carryLen, 0, events);
      this.#carryLen = 0;
    }
    return this.#finish(events);
  }

  #finish(events: LogEvent[]): LogEvent[] {
    this.#events += events.length;
    if (events.length > 0) this.#lastEvent = performance.now();
    return events;
  }

  #appendCarry(bytes: Buffer): void {
    const room = Math.max(this.#maxLineBytes - this.#carryKept, 0);
    if (bytes.length > 0 && room > 0) {
      // A copy: the caller may reuse its buffer once feed returns.
      const kept = Buffer.from(bytes.subarray(0, Math.min(bytes.length, room)));
      this.#carry.push(kept);
      this.#carryKept += kept.length;
    }
    this.#carryLen += bytes.length;
  }

  #takeCarry(): Buffer {
    const whole = this.#carry.length === 1 ? this.#carry[0]! : Buffer.concat(this.#carry);
    this.#carry = [];
    this.#carryKept = 0;
    return whole;
  }

  #line(kept: Buffer, len: number, newline: number, events: LogEvent[]): void {
    this.#lines++;
    this.#offset += len + newline;
    const truncated = len > this.#maxLineBytes;
    let bytes = capAtChar(kept, this.#maxLineBytes);
    if (truncated) this.#truncated++;
    else if (this.#mode === 'ndjson' && bytes[bytes.length - 1] === 13) bytes = bytes.subarray(0, -1);
    const decoded = bytes.toString('utf8');
    const cx: LineCtx = {
      line: this.#lines,
      offset: this.#offset,
      previewChars: this.#previewChars,
      unknownDataBytes: this.#unknownDataBytes,
      state: this.#state,
      events,
      unparsed: 0,
    };
    let signal: WorkerState | undefined;
    let remembered: string | undefined;
    if (this.#mode === 'ndjson') {
      if (!BLANK.test(decoded)) {
        if (truncated) unparsed(decoded, 'line too long', true, cx);
        else signal = lineEvents(decoded, cx);
        remembered = decoded;
      }
    } else {
      const text = render(decoded);
      events.push({ kind: 'line', line: cx.line, offset: cx.offset, text, truncated });
      signal = this.#textSignal(text);
      remembered = text;
    }
    this.#unparsed += cx.unparsed;
    if (remembered !== undefined) this.#remember(remembered);
    if (signal !== undefined && signal !== this.#state) {
      const previous = this.#state;
      this.#state = signal;
      events.push({ kind: 'state', line: cx.line, offset: cx.offset, state: signal, previous });
    }
  }

  /** Text mode: a non-blank line means working, unless it holds a marker. */
  #textSignal(line: string): WorkerState | undefined {
    if (BLANK_TEXT.test(line)) return undefined;
    if (this.#errorMarker && line.includes(this.#errorMarker)) return 'error';
    if (this.#idleMarker && line.includes(this.#idleMarker)) return 'idle';
    return 'working';
  }

  #remember(line: string): void {
    if (this.#ringLines === 0) return;
    const kept =
      Buffer.byteLength(line) > this.#ringLineBytes
        ? capAtChar(Buffer.from(line), this.#ringLineBytes).toString('utf8')
        : line;
    if (this.#ring.length >= this.#ringLines) this.#ring.shift();
    this.#ring.push(kept);
  }

  tail(max?: number, contains?: string): string[] {
    const limit = countOption(max, Number.MAX_SAFE_INTEGER, 0, 'max');
    const picked: string[] = [];
    for (let i = this.#ring.length - 1; i >= 0 && picked.length < limit; i--) {
      const line = this.#ring[i]!;
      if (contains === undefined || contains === null || line.includes(contains)) picked.push(line);
    }
    return picked.reverse();
  }

  stats(): LogStreamStats {
    return {
      bytes: this.#bytes,
      lines: this.#lines,
      events: this.#events,
      unparsed: this.#unparsed,
      truncated: this.#truncated,
      bufferedBytes: this.#carryKept,
      offset: this.#offset,
      state: this.#state,
      msSinceLastEvent: this.#lastEvent === undefined ? null : performance.now() - this.#lastEvent,
    };
  }
}

/**
 * The logstream contract, met by the native crate and the TypeScript fallback alike. Every event
 * carries the line it came from (1-based, counted by this parser) and `offset`: the byte offset
 * just past that line in the log (from `startOffset`), the place to resume from.
 */

/** States a log signals (DESIGN §7); stopping and stopped come from the process, not the log. */
export type WorkerState = 'starting' | 'ready' | 'working' | 'idle' | 'error';

interface At {
  line: number;
  offset: number;
}

/** system/init: a session is up (Claude Code re-sends it at every turn in stream-json input). */
export interface InitEvent extends At {
  kind: 'init';
  sessionId: string | null;
  model: string | null;
  cwd: string | null;
  tools: unknown[];
  /** As Claude Code gives them: `{ name, status, source? }`. */
  mcpServers: unknown[];
  permissionMode: string | null;
  /** claude_code_version */
  version: string | null;
}

/** One text block of an assistant message. */
export interface TextEvent extends At {
  kind: 'text';
  text: string;
  messageId: string | null;
  parentToolUseId: string | null;
  /** The message's `error` (e.g. `authentication_failed`), when it has one. */
  error: string | null;
}

export interface ToolUseEvent extends At {
  kind: 'tool_use';
  id: string | null;
  name: string | null;
  input: unknown;
  /** `file_path`, `notebook_path` and `path` of the input, when strings, without repeats. */
  paths: string[];
  messageId: string | null;
  parentToolUseId: string | null;
}

/** A tool's result. The text is a preview: tool results carry whole files; the log keeps all. */
export interface ToolResultEvent extends At {
  kind: 'tool_result';
  toolUseId: string | null;
  isError: boolean;
  /** The result's text blocks joined by newlines, cut to `previewChars` UTF-16 units. */
  text: string;
  /** The text was cut (the log has all of it). */
  truncated: boolean;
  parentToolUseId: string | null;
}

/** The end of a turn. Test `isError`, not `subtype` (a failed login arrives as success + is_error). */
export interface ResultEvent extends At {
  kind: 'result';
  subtype: string | null;
  isError: boolean;
  result: string | null;
  /** Cumulative for the session: read the latest, do not add them up. */
  totalCostUsd: number | null;
  usage: Record<string, unknown> | null;
  modelUsage: Record<string, unknown> | null;
  numTurns: number | null;
  durationMs: number | null;
  durationApiMs: number | null;
  sessionId: string | null;
  errors: unknown[];
  terminalReason: string | null;
}

export interface ControlResponseEvent extends At {
  kind: 'control_response';
  requestId: string | null;
  subtype: string | null;
  error: string | null;
  response: unknown;
}

/** Any other line or content block. `data` is the whole line when it is small, else null. */
export interface UnknownEvent extends At {
  kind: 'unknown';
  type: string | null;
  subtype: string | null;
  data: unknown;
}

/** A line that is not a JSON object. Counted, never thrown. */
export interface UnparsedEvent extends At {
  kind: 'unparsed';
  reason: 'invalid json' | 'not an object' | 'line too long';
  /** The line, cut to `previewChars`. */
  text: string;
  truncated: boolean;
}

/** Text mode: a line as a terminal showed it (escape sequences and overwrites applied). */
export interface LineEvent extends At {
  kind: 'line';
  text: string;
  truncated: boolean;
}

/** The worker state this line moved to; follows the line's other events. */
export interface StateEvent extends At {
  kind: 'state';
  state: WorkerState;
  previous: WorkerState;
}

export type LogEvent =
  | InitEvent
  | TextEvent
  | ToolUseEvent
  | ToolResultEvent
  | ResultEvent
  | ControlResponseEvent
  | UnknownEvent
  | UnparsedEvent
  | LineEvent
  | StateEvent;

export interface LogStreamOptions {
  /** `ndjson` (Claude Code stream-json, default) or `text` (raw terminal output). */
  mode?: 'ndjson' | 'text';
  /** A longer line is cut to this and marked truncated (default 1 MiB). */
  maxLineBytes?: number;
  /** Lines remembered for `tail` (default 1000), each cut to `ringLineBytes` (default 4096). */
  ringLines?: number;
  ringLineBytes?: number;
  /** Length of tool result and unparsed previews, in UTF-16 units (default 1000: a transcript shows a
   * few lines of a tool result; the log keeps all of it). */
  previewChars?: number;
  /** An unknown line up to this many bytes is carried whole as `data` (default 4096). */
  unknownDataBytes?: number;
  /** Byte offset of the first byte fed, when resuming a log (default 0). */
  startOffset?: number;
  /** Text mode: a line containing this means idle (e.g. a prompt). */
  idleMarker?: string;
  /** Text mode: a line containing this means error. */
  errorMarker?: string;
  /** The state to start from (default `starting`): a log resumed at an offset continues a known worker. */
  state?: WorkerState;
}

export interface LogStreamStats {
  bytes: number;
  lines: number;
  events: number;
  unparsed: number;
  /** Lines cut at maxLineBytes. */
  truncated: number;
  /** Bytes held of a line not yet ended (never more than maxLineBytes). */
  bufferedBytes: number;
  offset: number;
  state: WorkerState;
  /** Null before the first event. */
  msSinceLastEvent: number | null;
}

export interface LogStreamLike {
  /** Events of the lines this chunk completes. A string is fed as its UTF-8 bytes. */
  feed(chunk: Uint8Array | string): LogEvent[];
  /** The log ended: a last line without a newline becomes events too. */
  end(): LogEvent[];
  /** The last `max` remembered lines (oldest first), only those containing `contains` if given. */
  tail(max?: number, contains?: string): string[];
  readonly state: WorkerState;
  stats(): LogStreamStats;
}

export type LogStreamConstructor = new (options?: LogStreamOptions) => LogStreamLike;

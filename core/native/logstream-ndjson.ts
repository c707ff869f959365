/**
 * Claude Code stream-json lines to events, with JSON.parse. Mirrors, field for field,
 * `crates/logstream/src/ndjson.rs`; the parity suite holds the two together.
 */
import type { LogEvent, WorkerState } from './logstream-types.js';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const obj = (v: unknown): Obj | null => (isObj(v) ? v : null);
const orNull = (v: unknown): unknown => (v === undefined ? null : v);

export interface LineCtx {
  line: number;
  offset: number;
  previewChars: number;
  unknownDataBytes: number;
  state: WorkerState;
  events: LogEvent[];
  unparsed: number;
}

/** `text.slice(0, cap)`, less a high surrogate cut from its pair. */
export function previewOf(text: string, cap: number): string {
  if (text.length <= cap) return text;
  const cut = text.slice(0, cap);
  const last = cut.charCodeAt(cut.length - 1);
  return last >= 0xd800 && last < 0xdc00 ? cut.slice(0, -1) : cut;
}

export function unparsed(
  line: string,
  reason: 'invalid json' | 'not an object' | 'line too long',
  truncated: boolean,
  cx: LineCtx,
): void {
  cx.unparsed++;
  cx.events.push({
    kind: 'unparsed',
    line: cx.line,
    offset: cx.offset,
    reason,
    text: previewOf(line, cx.previewChars),
    truncated,
  });
}

/** Handle one non-blank line; returns the state it signals, if any. */
export function lineEvents(line: string, cx: LineCtx): WorkerState | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    unparsed(line, 'invalid json', false, cx);
    return undefined;
  }
  if (!isObj(value)) {
    unparsed(line, 'not an object', false, cx);
    return undefined;
  }
  const at = { line: cx.line, offset: cx.offset };
  const { type, subtype } = value;
  if (type === 'system' && subtype === 'init') {
    cx.events.push({
      kind: 'init',
      ...at,
      sessionId: str(value.session_id),
      model: str(value.model),
      cwd: str(value.cwd),
      tools: arr(value.tools),
      mcpServers: arr(value.mcp_servers),
      permissionMode: str(value.permissionMode),
      version: str(value.claude_code_version),
    });
    if (cx.state === 'starting') return 'ready';
    if (cx.state === 'idle' || cx.state === 'error') return 'working';
    return undefined;
  }
  if (type === 'assistant' || type === 'user') {
    messageEvents(value, type === 'assistant', cx);
    return 'working';
  }
  if (type === 'result') {
    const isError = value.is_error === true;
    cx.events.push({
      kind: 'result',
      ...at,
      subtype: str(subtype),
      isError,
      result: str(value.result),
      totalCostUsd: num(value.total_cost_usd),
      usage: obj(value.usage),
      modelUsage: obj(value.modelUsage),
      numTurns: num(value.num_turns),
      durationMs: num(value.duration_ms),
      durationApiMs: num(value.duration_api_ms),
      sessionId: str(value.session_id),
      errors: arr(value.errors),
      terminalReason: str(value.terminal_reason),
    });
    return isError ? 'error' : 'idle';
  }
  if (type === 'control_response') {
    const response = obj(value.response);
    cx.events.push({
      kind: 'control_response',
      ...at,
      requestId: str(response?.request_id),
      subtype: str(response?.subtype),
      error: str(response?.error),
      response: orNull(response?.response),
    });
    return undefined;
  }
  const small = Buffer.byteLength(line) <= cx.unknownDataBytes;
  cx.events.push({ kind: 'unknown', ...at, type: str(type), subtype: str(subtype), data: small ? value : null });
  if (type === 'stream_event') return 'working';
  if (type === 'system' && subtype === 'session_state_changed') {
    if (value.state === 'running') return 'working';
    if (value.state === 'idle') return 'idle';
  }
  return undefined;
}

function messageEvents(value: Obj, assistant: boolean, cx: LineCtx): void {
  const at = { line: cx.line, offset: cx.offset };
  const message = obj(value.message);
  const content = message?.content;
  const messageId = str(message?.id);
  const parentToolUseId = str(value.parent_tool_use_id);
  const error = str(value.error);
  if (typeof content === 'string' && assistant) {
    cx.events.push({ kind: 'text', ...at, text: content, messageId, parentToolUseId, error });
  } else if (Array.isArray(content)) {
    for (const block of content) blockEvent(block, assistant, messageId, parentToolUseId, error, cx);
  } else {
    cx.events.push({
      kind: 'unknown',
      ...at,
      type: assistant ? 'assistant' : 'user',
      subtype: typeof content === 'string' ? 'text' : null,
      data: null,
    });
  }
}

function blockEvent(
  block: unknown,
  assistant: boolean,
  messageId: string | null,
  parentToolUseId: string | null,
  error: string | null,
  cx: LineCtx,
): void {
  const at = { line: cx.line, offset: cx.offset };
  const b: Obj = isObj(block) ? block : {};
  if (assistant && b.type === 'text' && typeof b.text === 'string') {
    cx.events.push({ kind: 'text', ...at, text: b.text, messageId, parentToolUseId, error });
  } else if (assistant && b.type === 'tool_use') {
    cx.events.push({
      kind: 'tool_use',
      ...at,
      id: str(b.id),
      name: str(b.name),
      input: orNull(b.input),
      paths: pathsOf(b.input),
      messageId,
      parentToolUseId,
    });
  } else if (!assistant && b.type === 'tool_result') {
    const text = resultText(b.content);
    const truncated = text.length > cx.previewChars;
    cx.events.push({
      kind: 'tool_result',
      ...at,
      toolUseId: str(b.tool_use_id),
      isError: b.is_error === true,
      text: previewOf(text, cx.previewChars),
      truncated,
      parentToolUseId,
    });
  } else {
    cx.events.push({
      kind: 'unknown',
      ...at,
      type: assistant ? 'assistant' : 'user',
      subtype: str(b.type),
      data: null,
    });
  }
}

/** A tool result's text: the string, or its text blocks joined by newlines. */
function resultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  const parts: string[] = [];
  for (const part of content)
    if (isObj(part) && part.type === 'text' && typeof part.text === 'string') parts.push(part.text);
  return parts.join('\n');
}

/** Paths a tool call touches: `file_path`, `notebook_path`, `path`, when strings, no repeats. */
function pathsOf(input: unknown): string[] {
  if (!isObj(input)) return [];
  const paths: string[] = [];
  for (const key of ['file_path', 'notebook_path', 'path']) {
    const value = input[key];
    if (typeof value === 'string' && !paths.includes(value)) paths.push(value);
  }
  return paths;
}

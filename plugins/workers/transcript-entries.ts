import type { LogEvent } from '../../core/index.js';

/** One thing an agent wrote: a text block, or a tool call (its name and what it named). */
export interface TranscriptEntry {
  kind: 'text' | 'tool';
  text: string;
  /** For tool calls: the paths its input named (file_path, notebook_path, path). */
  paths: string[];
  /** Byte offset just past the line it came from. */
  offset: number;
  /** For tool calls: the call's id, the tool's name and its input as the agent gave them (its result names the id). */
  toolUseId?: string | null;
  name?: string;
  input?: unknown;
}

/**
 * A tool call's outcome: its id, whether it failed, and a preview of its text (the log keeps all of it). The swarm
 * plugin turns failing commands and passing tests into trails from these.
 */
export interface TranscriptToolResult {
  toolUseId: string | null;
  isError: boolean;
  /** The result's text, cut to RESULT_TEXT_CHARS. */
  text: string;
  offset: number;
}

/** A batch of what one worker's agent wrote, as its log was read (see WorkersApi.addTranscriptListener). */
export interface TranscriptBatch {
  teamName: string;
  handle: string;
  workerCreatedAt: number;
  sessionId: string | null;
  entries: TranscriptEntry[];
  /** The batch's tool results of the worker's own calls (not a subagent's), in order; often in a later batch. */
  toolResults: TranscriptToolResult[];
}

export type TranscriptListener = (batch: TranscriptBatch) => void;

/** How much of a tool call's input is kept when it names no path. */
const TOOL_INPUT_CHARS = 300;
/** How much of a tool result's text a batch carries (enough to tell a refusal or an error's first line). */
const RESULT_TEXT_CHARS = 500;

/** The text and tool calls among a batch's parsed events (the parser's work, not parsed again). */
export function transcriptEntries(events: readonly LogEvent[]): TranscriptEntry[] {
  const entries: TranscriptEntry[] = [];
  for (const event of events) {
    if (event.kind === 'text' && event.text.trim() !== '') {
      entries.push({ kind: 'text', text: event.text, paths: [], offset: event.offset });
    } else if (event.kind === 'tool_use') {
      const name = event.name ?? 'tool';
      let detail = event.paths.join(' ');
      if (detail === '' && event.input !== undefined && event.input !== null) {
        const input = JSON.stringify(event.input) ?? '';
        detail = input.length > TOOL_INPUT_CHARS ? `${input.slice(0, TOOL_INPUT_CHARS)}…` : input;
      }
      entries.push({
        kind: 'tool',
        text: `${name} ${detail}`.trim(),
        paths: event.paths,
        offset: event.offset,
        toolUseId: event.id,
        name,
        input: event.input,
      });
    }
  }
  return entries;
}

/** The batch's tool results of top-level calls (a subagent's own calls are not the worker's). */
export function transcriptToolResults(events: readonly LogEvent[]): TranscriptToolResult[] {
  const results: TranscriptToolResult[] = [];
  for (const event of events)
    if (event.kind === 'tool_result' && event.parentToolUseId === null)
      results.push({
        toolUseId: event.toolUseId,
        isError: event.isError,
        text: event.text.length > RESULT_TEXT_CHARS ? event.text.slice(0, RESULT_TEXT_CHARS) : event.text,
        offset: event.offset,
      });
  return results;
}

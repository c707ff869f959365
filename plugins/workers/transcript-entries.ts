import type { LogEvent } from '../../core/index.js';

/** One thing an agent wrote: a text block, or a tool call (its name and what it named). */
export interface TranscriptEntry {
  kind: 'text' | 'tool';
  text: string;
  /** For tool calls: the paths its input named (file_path, notebook_path, path). */
  paths: string[];
  /** Byte offset just past the line it came from. */
  offset: number;
}

/** A batch of what one worker's agent wrote, as its log was read (see WorkersApi.addTranscriptListener). */
export interface TranscriptBatch {
  teamName: string;
  handle: string;
  workerCreatedAt: number;
  sessionId: string | null;
  entries: TranscriptEntry[];
}

export type TranscriptListener = (batch: TranscriptBatch) => void;

/** How much of a tool call's input is kept when it names no path. */
const TOOL_INPUT_CHARS = 300;

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
      entries.push({ kind: 'tool', text: `${name} ${detail}`.trim(), paths: event.paths, offset: event.offset });
    }
  }
  return entries;
}

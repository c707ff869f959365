import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import * as v from 'valibot';
import { f, invalidInput, operationsFor, transcriptTail, workerFiles } from '../../core/index.js';
import type { WorkersApi } from './index.js';
import { logFormat } from './log-format.js';
import { readLogLines, type LogLine } from './log-follower.js';

const op = operationsFor<WorkersApi>();

/** Bytes of log one answer reads at most (readLogLines' own bound): the dashboard pages for more. */
export const TRANSCRIPT_PAGE_BYTES = 4 * 1024 * 1024;
/** Log lines one answer reads at most (a page of many tiny lines stays a page). */
const PAGE_LINES = 100_000;

/**
 * A worker's transcript as its pane shows it (core's Transcript renders the stream-json log: inputs,
 * text, tool calls and results, refusals, each turn's result and cost), with the ANSI colours the
 * pane has: for the dashboard's terminal view, which renders the log, never the pane, so looking
 * never disturbs the agent. Three ways to read: the tail (no cursor), what follows a cursor (the
 * live tail after a worker_output event) and the page before a byte offset (earlier scrollback).
 */
export const workerTranscript = op({
  name: 'workerTranscript',
  summary:
    'A worker’s transcript rendered as its pane shows it (with colours), from its log: the last 4 MiB, ' +
    'from a cursor on, or the page before an offset',
  access: 'agent',
  input: v.object({
    handle: f.handle,
    cursor: v.optional(f.int(0)),
    before: v.optional(f.int(0)),
  }),
  http: { method: 'GET', path: '/orchestrate/transcript/:handle' },
  async run({ input, caller, api }) {
    if (input.cursor !== undefined && input.before !== undefined)
      throw invalidInput('before', 'give cursor or before, not both');
    const row = await api.manager.require(caller.teamName, input.handle);
    const path = workerFiles(row.dir).output;
    const page = readPage(path, input.cursor, input.before);
    const format = logFormat(row);
    // A page from a cursor continues a transcript already shown: its session is not named again.
    const primed = input.cursor !== undefined && input.cursor > 0 && format === 'ndjson' && row.session_id !== null;
    const texts = page.lines.map((line) => line.text);
    let lines: string[];
    if (format === 'text') lines = texts;
    else if (primed) lines = transcriptTail([sessionLine(row.session_id!), ...texts], Infinity).slice(1);
    else lines = transcriptTail(texts, Infinity);
    return { handle: row.handle, state: row.state, format, start: page.start, cursor: page.cursor, lines };
  },
});

export const transcriptOperations = [workerTranscript];

/** The session line Claude Code writes as a turn begins: it tells a fresh Transcript what was shown. */
const sessionLine = (sessionId: string) => JSON.stringify({ type: 'system', subtype: 'init', session_id: sessionId });

interface Page {
  /** Byte offset of the first line read (0: the log's beginning). */
  start: number;
  /** Byte offset just past the last whole line read: where the live tail continues. */
  cursor: number;
  lines: LogLine[];
}

/** Whole lines of the log: after `cursor`, or the page ending at `before`, or its last page. */
function readPage(path: string, cursor: number | undefined, before: number | undefined): Page {
  if (cursor !== undefined) {
    const page = readLogLines(path, cursor, PAGE_LINES);
    return { start: page.lines[0]?.offset ?? page.cursor, cursor: page.cursor, lines: page.lines };
  }
  const size = existsSync(path) ? statSync(path).size : 0;
  const end = Math.min(before ?? size, size);
  const from = Math.max(0, end - TRANSCRIPT_PAGE_BYTES);
  const page = readLogLines(path, from, PAGE_LINES);
  // A page that starts mid-line begins with the end of a line it does not have: that part is left out.
  const whole = from === 0 || byteAt(path, from - 1) === 0x0a;
  const lines = page.lines.slice(whole ? 0 : 1).filter((line) => line.offset < end);
  // `before` is a line's start (an earlier page's `start`): the page ends there.
  return { start: lines[0]?.offset ?? end, cursor: before === undefined ? page.cursor : end, lines };
}

function byteAt(path: string, offset: number): number | undefined {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(1);
    return readSync(fd, buffer, 0, 1, offset) === 1 ? buffer[0] : undefined;
  } finally {
    closeSync(fd);
  }
}

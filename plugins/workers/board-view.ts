import { plain, transcriptTail, workerFiles } from '../../core/index.js';
import { logFormat } from './log-format.js';
import { readLogLines } from './log-follower.js';
import { workerView, type WorkerRow } from './worker-store.js';

const LAST_LINE_CHARS = 160;

/**
 * One worker as the board shows it: what `workerView` says, plus since when it is in its state, its
 * token count and the last line of its readable transcript (what it is doing, at a glance).
 */
export function boardRow(row: WorkerRow, stateSince: number | undefined) {
  const view = workerView(row);
  const usage = view.usage as { input_tokens?: number; output_tokens?: number } | null;
  return {
    team: view.teamName,
    handle: view.handle,
    state: view.state,
    stateSince: new Date(stateSince ?? Number(row.created_at)).toISOString(),
    health: view.health,
    restartCount: view.restartCount,
    numTurns: view.numTurns,
    tokens: usage ? (usage.input_tokens ?? 0) + (usage.output_tokens ?? 0) : null,
    costUsd: view.costUsd,
    lastLine: lastTranscriptLine(row),
    needsYou: view.needsYou,
    /** Why it is paused and, for a usage limit, when it resumes (null: a lead decides). */
    pause: view.pause,
    error: view.error,
  };
}

export type BoardRow = ReturnType<typeof boardRow>;

/** The last non-blank transcript line of the worker's log (its raw last line for a text agent). */
function lastTranscriptLine(row: WorkerRow): string | null {
  const format = logFormat(row);
  const { lines } = readLogLines(workerFiles(row.dir).output, undefined, 40);
  const texts = lines.map((line) => line.text);
  const rendered = format === 'ndjson' ? transcriptTail(texts, 40) : texts;
  // The turn's closing summary (■ done …) says less than what the agent last wrote.
  const shown = rendered.map((line) => plain(line).trim()).filter((line) => line.length > 0 && !line.startsWith('■'));
  const text = shown[shown.length - 1];
  if (text === undefined) return null;
  return text.length > LAST_LINE_CHARS ? `${text.slice(0, LAST_LINE_CHARS - 1)}…` : text;
}

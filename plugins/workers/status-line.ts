import type { WorkerView } from './worker-store.js';

/** What the status line reads of a worker view. */
export type StatusLineWorker = Pick<WorkerView, 'teamName' | 'handle' | 'state' | 'needsYou'>;

/** tmux's status-right-length in config/tmux.conf: what does not fit is cut there, from the right. */
export const STATUS_LINE_CHARS = 150;

/** The mark after a worker that waits for a person (its agent was refused a tool call). */
export const NEEDS_YOU_MARK = '!';

/**
 * The fleet's tmux status line (`@fleet_workers`): every worker not stopped as team/handle:state
 * (two teams may each have a w1), the ones that need a person marked `!`, failed ones kept. What
 * needs a person comes first, with a count, then the failed, then the rest: tmux cuts a long line
 * at its end, and it should cut the workers that are fine. Past `maxChars`, a `+N` says how many
 * more there are. An empty string when there are none (tmux.conf then shows "no workers").
 */
export function statusLine(workers: readonly StatusLineWorker[], maxChars = STATUS_LINE_CHARS): string {
  const shown = workers.filter((worker) => worker.state !== 'stopped');
  const needing = shown.filter((worker) => worker.needsYou !== null);
  const failed = shown.filter((worker) => worker.needsYou === null && worker.state === 'failed');
  const rest = shown.filter((worker) => worker.needsYou === null && worker.state !== 'failed');
  const summary = [
    ...(needing.length > 0 ? [`${NEEDS_YOU_MARK} ${needing.length} need${needing.length === 1 ? 's' : ''} you`] : []),
    ...(failed.length > 0 ? [`${failed.length} failed`] : []),
  ].join(', ');
  const items = [...needing, ...failed, ...rest].map(
    (worker) => `${worker.teamName}/${worker.handle}:${worker.state}${worker.needsYou === null ? '' : NEEDS_YOU_MARK}`,
  );
  let line = summary === '' ? '' : `${summary} ·`;
  for (const [i, item] of items.entries()) {
    const left = items.length - i - 1;
    const next = line === '' ? item : `${line} ${item}`;
    // Room for this item, and for the `+N` of what would still follow it.
    const tail = left > 0 ? ` +${left}` : '';
    if (next.length + tail.length > maxChars && i > 0) return `${line} +${items.length - i}`;
    line = next;
  }
  return line;
}

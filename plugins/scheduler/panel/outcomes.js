/** A run's outcome as a badge tone. */
export const OUTCOME_TONE = {
  delivered: 'ok',
  queued: 'info',
  skipped: 'neutral',
  refused: 'warning',
  failed: 'danger',
};

/** Outcomes that need a person: the schedule's work did not happen. */
export const NEEDS_YOU = new Set(['failed', 'refused']);

/** What a schedule does, in a few words: its template tasks and actions. */
export function scheduleSummary(/** @type {any} */ schedule) {
  const parts = [];
  for (const task of schedule.tasks ?? []) parts.push(`template ${task}`);
  for (const action of schedule.actions ?? []) {
    const detail =
      action.kind === 'prompt'
        ? `→ ${action.handle}`
        : action.kind === 'task'
          ? `“${action.subject}”`
          : action.kind === 'template'
            ? action.template
            : action.kind === 'workflow'
              ? action.workflow
              : action.kind === 'spawn'
                ? (action.handle ?? '')
                : '';
    parts.push(`${action.kind} ${detail}`.trim());
  }
  return parts.join(', ') || '—';
}

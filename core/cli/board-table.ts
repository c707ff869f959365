/** One worker as GET /orchestrate/board gives it. */
export interface BoardWorker {
  team: string;
  handle: string;
  state: string;
  stateSince: string;
  health: string;
  restartCount: number;
  numTurns: number | null;
  tokens: number | null;
  costUsd: number | null;
  lastLine: string | null;
  needsYou: { reason: string; denials: { tool: string; input: string }[] } | null;
  error: string | null;
}

/** "42s", "7m", "3h": how long a worker has been in its state. */
export function age(since: string, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(since)) / 1000));
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  return `${Math.floor(seconds / 3600)}h`;
}

const fit = (text: string, width: number) =>
  text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);

/**
 * The board's table: a row per worker (state and for how long, health, turns, tokens, cost, the
 * last line it wrote), then what needs a person: failed workers with why, refused tool calls.
 */
export function boardTable(workers: BoardWorker[], width: number, now = Date.now()): string[] {
  if (workers.length === 0) return ['No workers. Spawn one: fleet spawn <handle> --prompt "…"'];
  const header = ['WORKER', 'STATE', 'HEALTH', 'TURNS', 'TOKENS', 'COST', 'LAST LINE'];
  const rows = workers.map((w) => [
    `${w.team}/${w.handle}`,
    `${w.state} ${age(w.stateSince, now)}${w.restartCount > 0 ? ` ↻${w.restartCount}` : ''}`,
    w.health,
    w.numTurns === null ? '-' : String(w.numTurns),
    w.tokens === null ? '-' : String(w.tokens),
    w.costUsd === null ? '-' : `$${w.costUsd.toFixed(4)}`,
    w.lastLine ?? '',
  ]);
  const widths = header.slice(0, -1).map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => {
    const fixed = cells
      .slice(0, -1)
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ');
    const rest = Math.max(10, width - fixed.length - 2);
    return `${fixed}  ${fit(cells.at(-1)!, rest)}`.trimEnd();
  };
  const out = [line(header), ...rows.map(line)];
  const needs = workers.flatMap((w) => {
    const who = `${w.team}/${w.handle}`;
    if (w.state === 'failed') return [`  ${who} failed: ${w.error ?? 'no reason recorded'}`];
    if (w.needsYou)
      return w.needsYou.denials.map(
        (denial) => `  ${who} was refused ${denial.tool} ${fit(denial.input, 80).trimEnd()}`,
      );
    return [];
  });
  if (needs.length > 0)
    out.push('', `Needs you (${needs.length}):`, ...needs.map((text) => fit(text, width).trimEnd()));
  return out;
}

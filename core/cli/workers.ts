import { TARGET_HELP } from './fleet-target.js';
import { adminFor, OPERATOR_NOTE, OPERATOR_OPTIONS, operatorFor } from './operator.js';
import { parseCommand } from './parse.js';

const HELP = `
Usage: fleet workers [--team <team>] [--json]

The workers of every team (team, handle, state, health, restarts, turns and cost), read with the
admin key from the board (GET /orchestrate/board: live and failed workers). Name a team with --team
(or $CLAUDE_CODE_TEAM_NAME) for that team's workers only, stopped ones included; then:

${OPERATOR_NOTE}

Options:
  --team <team>       Only this team (default $CLAUDE_CODE_TEAM_NAME, else every team)
${TARGET_HELP}
  --json              Print the workers as the fleet lists them (GET /orchestrate/workers for a
                      team, the board's workers for every team)
  -h, --help          Show this help
`;

/** What the table shows of a worker, from a team's list (GET /orchestrate/workers) or the board. */
export interface WorkerRowView {
  team: string;
  handle: string;
  state: string;
  health: string;
  restartCount: number;
  numTurns: number | null;
  costUsd: number | null;
}

/** A worker as GET /orchestrate/workers lists it (a team's). */
interface TeamWorker extends Omit<WorkerRowView, 'team'> {
  teamName: string;
}

const COLUMNS: [string, (worker: WorkerRowView) => string][] = [
  ['TEAM', (w) => w.team],
  ['HANDLE', (w) => w.handle],
  ['STATE', (w) => w.state],
  ['HEALTH', (w) => w.health],
  ['RESTARTS', (w) => String(w.restartCount)],
  ['TURNS', (w) => (w.numTurns === null ? '-' : String(w.numTurns))],
  ['COST', (w) => (w.costUsd === null ? '-' : `$${w.costUsd.toFixed(4)}`)],
];

/** Columns padded to their widest cell, two spaces apart. */
export function workersTable(workers: readonly WorkerRowView[]): string {
  const rows = [COLUMNS.map(([title]) => title), ...workers.map((w) => COLUMNS.map(([, cell]) => cell(w)))];
  const widths = COLUMNS.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommand(args, { ...OPERATOR_OPTIONS, json: { type: 'boolean' } }, HELP);
  if (!parsed) return 0;
  const team = parsed.values.team ?? process.env.CLAUDE_CODE_TEAM_NAME;
  let listed: unknown[];
  let rows: WorkerRowView[];
  if (team === undefined) {
    // Every team: the board's path, which the admin key may read fleet-wide.
    const board = await (await adminFor(parsed.values)).call<{ workers: WorkerRowView[] }>('GET', '/orchestrate/board');
    listed = board.workers;
    rows = board.workers;
  } else {
    const operator = await operatorFor({ ...parsed.values, team });
    const workers = await operator.call<TeamWorker[]>('GET', '/orchestrate/workers');
    listed = workers;
    rows = workers.map(({ teamName, ...worker }) => ({ ...worker, team: teamName }));
  }
  if (parsed.values.json) process.stdout.write(JSON.stringify(listed, null, 2) + '\n');
  else if (rows.length === 0)
    process.stdout.write(team === undefined ? 'no workers\n' : `no workers in team ${team}\n`);
  else process.stdout.write(workersTable(rows) + '\n');
  return 0;
}

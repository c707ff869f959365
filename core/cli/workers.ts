import { OPERATOR_HELP, OPERATOR_NOTE, OPERATOR_OPTIONS, operatorFor } from './operator.js';
import { parseCommand } from './parse.js';

const HELP = `
Usage: fleet workers [--team <team>] [--json]

The team's workers: handle, team, state, health, restarts, turns and cost.

${OPERATOR_NOTE}

Options:
${OPERATOR_HELP}
  --json              Print the workers as the fleet lists them (GET /orchestrate/workers)
  -h, --help          Show this help
`;

/** What the table shows of a worker, as GET /orchestrate/workers lists it. */
interface WorkerView {
  handle: string;
  teamName: string;
  state: string;
  health: string;
  restartCount: number;
  numTurns: number | null;
  costUsd: number | null;
}

const COLUMNS: [string, (worker: WorkerView) => string][] = [
  ['HANDLE', (w) => w.handle],
  ['TEAM', (w) => w.teamName],
  ['STATE', (w) => w.state],
  ['HEALTH', (w) => w.health],
  ['RESTARTS', (w) => String(w.restartCount)],
  ['TURNS', (w) => (w.numTurns === null ? '-' : String(w.numTurns))],
  ['COST', (w) => (w.costUsd === null ? '-' : `$${w.costUsd.toFixed(4)}`)],
];

/** Columns padded to their widest cell, two spaces apart. */
export function workersTable(workers: readonly WorkerView[]): string {
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
  const operator = await operatorFor(parsed.values);
  const workers = await operator.call<WorkerView[]>('GET', '/orchestrate/workers');
  if (parsed.values.json) process.stdout.write(JSON.stringify(workers, null, 2) + '\n');
  else if (workers.length === 0) process.stdout.write(`no workers in team ${operator.team}\n`);
  else process.stdout.write(workersTable(workers) + '\n');
  return 0;
}

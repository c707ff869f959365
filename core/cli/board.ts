import { adminHeaders } from './admin-credential.js';
import { type BoardWorker, boardTable } from './board-table.js';
import { fetchFleet, fleetUrl } from './fleet-url.js';
import { parseCommand } from './parse.js';

const HELP = `
Usage: fleet board [--url <url>] [--data-dir <dir>]

The fleet's first tmux window: a live table of every worker of every team (state and for how
long, health, turns, tokens, cost, the last line it wrote) and what needs you (failed workers and
why, refused tool calls), refreshed every few seconds, asked for with the admin key in
<data dir>/admin.key (or $FLEET_ADMIN_KEY). Switch to a worker's window with Ctrl-b w
(or Ctrl-b <number>).
`;

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommand(args, { url: { type: 'string' }, 'data-dir': { type: 'string' } }, HELP);
  if (!parsed) return 0;
  const url = fleetUrl(parsed.values.url);
  const dataDir = parsed.values['data-dir'];
  const draw = async () => {
    let text: string;
    try {
      const response = await fetchFleet(`${url}/health`, { headers: adminHeaders(dataDir) });
      const health = (await response.json()) as {
        version: string;
        uptime?: number;
        plugins?: string[];
        counts?: Record<string, number>;
      };
      const board = await fetchFleet(`${url}/orchestrate/board`, { headers: adminHeaders(dataDir) });
      const workers = board.ok ? ((await board.json()) as { workers: BoardWorker[] }).workers : undefined;
      text = [
        `Claude Fleet ${health.version} at ${url}${health.uptime === undefined ? '' : ` · up ${health.uptime}s`}`,
        `plugins: ${health.plugins?.join(', ') ?? '(needs the admin key)'}`,
        '',
        ...(workers
          ? boardTable(workers, process.stdout.columns || 120)
          : [`workers: (GET /orchestrate/board: ${board.status})`]),
        '',
        'Workers have a window each: Ctrl-b w to pick one, Ctrl-b d to detach.',
      ].join('\n');
    } catch (error) {
      text = `fleet at ${url}: ${(error as Error).message}`;
    }
    process.stdout.write(`\x1b[2J\x1b[H${text}\n`);
  };
  await draw();
  setInterval(() => void draw(), 3000);
  return new Promise<number>(() => undefined);
}

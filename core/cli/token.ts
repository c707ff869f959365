import { findAdminKey } from './admin-credential.js';
import { CliError, usageError } from './errors.js';
import { fetchFleet, fleetUrl } from './fleet-url.js';
import { parseCommand } from './parse.js';

const HELP = `
Usage: fleet token --handle <name> [--team <team>] [--type worker|team-lead] [--role <role>]

Register an agent with the fleet's admin key and print its token on stdout, e.g.
  export FLEET_TOKEN=$(fleet token --handle lead --team alpha --type team-lead)

The admin key comes from $FLEET_ADMIN_KEY or <data dir>/admin.key (data dir: --data-dir,
$FLEET_DATA_DIR, or ./.fleet).

Options:
  --handle <name>    Agent handle (1–50 of A-Z a-z 0-9 _ -)          required
  --team <team>      Team name (default $CLAUDE_CODE_TEAM_NAME or dev-team)
  --type <type>      worker (default) or team-lead
  --role <role>      coordinator, worker, monitor, notifier or merger
  --url <url>        The fleet's URL (default $FLEET_URL or http://127.0.0.1:3847)
  --data-dir <dir>   Where admin.key is
  -h, --help         Show this help
`;

/** The admin key: $FLEET_ADMIN_KEY, else the file in the data dir. */
export function readAdminKey(dataDir?: string, env: Record<string, string | undefined> = process.env): string {
  const { key, path } = findAdminKey(dataDir, env);
  if (key === undefined)
    throw new CliError(
      `no admin key: FLEET_ADMIN_KEY is not set and ${path} does not exist ` +
        '(start the fleet once with `fleet up`, or pass --data-dir)',
    );
  return key;
}

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommand(
    args,
    {
      handle: { type: 'string' },
      team: { type: 'string' },
      type: { type: 'string' },
      role: { type: 'string' },
      url: { type: 'string' },
      'data-dir': { type: 'string' },
    },
    HELP,
  );
  if (!parsed) return 0;
  const { values } = parsed;
  if (!values.handle) throw usageError('--handle is required; see --help');
  const adminKey = readAdminKey(values['data-dir']);
  const url = fleetUrl(values.url);
  const response = await fetchFleet(`${url}/auth`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${adminKey}` },
    body: JSON.stringify({
      handle: values.handle,
      teamName: values.team ?? process.env.CLAUDE_CODE_TEAM_NAME ?? 'dev-team',
      agentType: values.type,
      role: values.role,
    }),
  });
  const body = (await response.json()) as { token?: string; error?: string };
  if (!response.ok || !body.token)
    throw new CliError(`the fleet refused: ${response.status} ${body.error ?? ''}`.trim());
  process.stdout.write(body.token + '\n');
  return 0;
}

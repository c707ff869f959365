import { findAdminKey } from './admin-credential.js';
import { CliError, usageError } from './errors.js';
import { fleetTarget, TARGET_HELP, TARGET_OPTIONS } from './fleet-target.js';
import { fetchFleet } from './fleet-url.js';
import { parseCommand } from './parse.js';

const HELP = `
Usage: fleet token --handle <name> [--team <team>] [--type worker|team-lead] [--role <role>] [--change-type]

Register an agent with the fleet's admin key and print its token on stdout, e.g.
  export FLEET_TOKEN=$(fleet token --handle lead --team alpha --type team-lead)

An agent that exists keeps its type and role: without --type you get a token for what it is.
Asking for another type or role is refused unless --change-type says so; the change ends every
token the agent held before (a demoted lead's old token stops working at once).

The admin key comes from $FLEET_ADMIN_KEY or <data dir>/admin.key.

Options:
  --handle <name>    Agent handle (1–50 of A-Z a-z 0-9 _ -)          required
  --team <team>      Team name (default $CLAUDE_CODE_TEAM_NAME or dev-team)
  --type <type>      worker or team-lead (default: the agent's own type; worker for a new agent)
  --role <role>      coordinator, worker, monitor, notifier or merger (default: the type's)
  --change-type      Allow changing an existing agent's type or role
${TARGET_HELP}
  -h, --help         Show this help
`;

const TYPES = ['worker', 'team-lead'];

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

interface Registered {
  token?: string;
  error?: string;
  code?: string;
  agentType?: string;
  role?: string;
}

/** POST /auth with the admin key; the fleet's refusals become one-line errors (exit 2 when the request was wrong). */
export async function registerWithAdminKey(
  url: string,
  adminKey: string,
  body: { handle: string; teamName: string; agentType?: string; role?: string; changeType?: boolean },
): Promise<Registered & { token: string }> {
  const response = await fetchFleet(`${url}/auth`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${adminKey}` },
    body: JSON.stringify(body),
  });
  const answer = (await response.json().catch(() => ({}))) as Registered;
  if (response.ok && answer.token) return answer as Registered & { token: string };
  if (answer.code === 'AUTH_TYPE_CHANGE_UNCONFIRMED')
    throw Object.assign(
      usageError(
        `${body.handle} of team ${body.teamName} is a ${answer.agentType} (role ${answer.role}); ` +
          'pass --change-type to change it (its current tokens then stop working), or leave out --type/--role',
      ),
      { code: answer.code, agentType: answer.agentType },
    );
  const refusal = `the fleet refused: ${response.status} ${answer.error ?? ''}`.trim();
  throw response.status === 400 || response.status === 409 ? usageError(refusal) : new CliError(refusal);
}

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommand(
    args,
    {
      handle: { type: 'string' },
      team: { type: 'string' },
      type: { type: 'string' },
      role: { type: 'string' },
      'change-type': { type: 'boolean' },
      ...TARGET_OPTIONS,
    },
    HELP,
  );
  if (!parsed) return 0;
  const { values } = parsed;
  if (!values.handle) throw usageError('--handle is required; see --help');
  if (values.type !== undefined && !TYPES.includes(values.type))
    throw usageError(`--type must be worker or team-lead (got ${JSON.stringify(values.type)})`);
  const target = await fleetTarget(values);
  const adminKey = readAdminKey(target.dataDir);
  const { token } = await registerWithAdminKey(target.url, adminKey, {
    handle: values.handle,
    teamName: values.team ?? process.env.CLAUDE_CODE_TEAM_NAME ?? 'dev-team',
    agentType: values.type,
    role: values.role,
    changeType: values['change-type'] || undefined,
  });
  process.stdout.write(token + '\n');
  return 0;
}

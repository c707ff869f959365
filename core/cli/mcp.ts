import { usageError } from './errors.js';
import { fleetUrl } from './fleet-url.js';
import { parseCommand } from './parse.js';

const HELP = `
Usage: fleet mcp              Serve the fleet's tools to an MCP client over stdio
       fleet mcp install      Add this server to the project's .mcp.json

fleet mcp forwards every tool list and call to the fleet at $FLEET_URL (or the seed's
$CLAUDE_FLEET_URL) with $FLEET_TOKEN. Without FLEET_TOKEN it registers itself with the admin key
(FLEET_ADMIN_KEY or <FLEET_DATA_DIR or ./.fleet>/admin.key) as $CLAUDE_CODE_AGENT_NAME of team
$CLAUDE_CODE_TEAM_NAME (default dev-team), type $CLAUDE_CODE_AGENT_TYPE (default worker).

Options of install:
  --name <name>      Server name in .mcp.json (default fleet; tools appear as mcp__<name>__*)
  --url <url>        The fleet's URL (default $FLEET_URL or http://127.0.0.1:3847)
  --agent <handle>   Register as this agent (sets CLAUDE_CODE_AGENT_NAME)
  --team <team>      ... of this team (sets CLAUDE_CODE_TEAM_NAME)
  --type <type>      worker or team-lead (sets CLAUDE_CODE_AGENT_TYPE)
  --data-dir <dir>   The fleet's data dir, where admin.key is (sets FLEET_DATA_DIR)
  -h, --help         Show this help
`;

export async function run(args: string[]): Promise<number> {
  if (args[0] === 'install') return install(args.slice(1));
  const parsed = parseCommand(args, {}, HELP);
  if (!parsed) return 0;
  const { runBridge } = await import('../mcp/bridge-main.js');
  return runBridge();
}

async function install(args: string[]): Promise<number> {
  const parsed = parseCommand(
    args,
    {
      name: { type: 'string' },
      url: { type: 'string' },
      agent: { type: 'string' },
      team: { type: 'string' },
      type: { type: 'string' },
      'data-dir': { type: 'string' },
    },
    HELP,
  );
  if (!parsed) return 0;
  const { values } = parsed;
  const name = values.name ?? 'fleet';
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) throw usageError('--name: must be 1–64 of A-Z a-z 0-9 _ -');
  if (values.type && values.type !== 'worker' && values.type !== 'team-lead')
    throw usageError('--type: must be worker or team-lead');
  const { installMcpEntry } = await import('../mcp/install.js');
  const result = installMcpEntry({
    projectDir: process.cwd(),
    name,
    url: fleetUrl(values.url),
    agentName: values.agent,
    teamName: values.team,
    agentType: values.type,
    dataDir: values['data-dir'],
  });
  process.stdout.write(
    `${result.created ? 'Created' : 'Updated'} ${result.path} (server "${name}").\n` +
      `The same with Claude Code's own command:\n  ${result.command}\n`,
  );
  return 0;
}

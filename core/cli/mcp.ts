import { parseCommand } from './parse.js';

const HELP = `
Usage: fleet mcp              Serve the fleet's tools to an MCP client over stdio
       fleet mcp install      Set up this project's Claude Code to use the fleet

fleet mcp forwards every tool list and call to the fleet at $FLEET_URL (or the seed's
$CLAUDE_FLEET_URL) with $FLEET_TOKEN. Without FLEET_TOKEN it registers itself with the admin key
(FLEET_ADMIN_KEY or <FLEET_DATA_DIR or ./.fleet>/admin.key) as $CLAUDE_CODE_AGENT_NAME of team
$CLAUDE_CODE_TEAM_NAME (default dev-team), type $CLAUDE_CODE_AGENT_TYPE (default worker). When it
cannot reach the fleet or its credential is refused, it says why in one line on stderr and exits 1.

fleet mcp install, run in your project: finds the running fleet (the flags below, else FLEET_URL
and FLEET_DATA_DIR, else what .mcp.json already says, else the fleet's config: ./fleet.config.ts or
the checkout's), registers the agent with the admin key to check that it works, then writes
  .mcp.json                     server <name>: this checkout's fleet mcp by absolute paths
  .claude/settings.local.json   permissions.allow mcp__<name>, enabledMcpjsonServers <name>
merging into what is there. Run it again to change one setting; the others are kept.

Options of install:
  --agent <handle>   Register as this agent (required unless .mcp.json has one)
  --team <team>      ... of this team (default dev-team)
  --type <type>      worker or team-lead (default worker)
  --name <name>      Server name (default fleet; tools appear as mcp__<name>__*)
  --url <url>        The fleet's URL (default: see above; http://127.0.0.1:3847 as configured)
  --data-dir <dir>   The fleet's data dir, where admin.key is (default: see above)
  --config <file>    The fleet's config file, to find its URL and data dir
  --skip-check       Write the files without asking the fleet (it need not be running)
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
      config: { type: 'string' },
      'skip-check': { type: 'boolean' },
    },
    HELP,
  );
  if (!parsed) return 0;
  const { runInstall } = await import('./mcp-install.js');
  return runInstall(parsed.values);
}

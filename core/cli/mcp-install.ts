import { existsSync, readFileSync } from 'node:fs';
import { adminKeyPath } from '../auth/admin-key.js';
import type { BridgeCredentials } from '../mcp/bridge-auth.js';
import { BridgeError } from '../mcp/bridge-error.js';
import { planClaudeSettings } from '../mcp/claude-settings.js';
import { planMcpEntry, previousEnv, readMcpFile } from '../mcp/install.js';
import { writeJsonObject } from '../mcp/json-file.js';
import { FleetBridge } from '../mcp/stdio-bridge.js';
import { CliError, usageError } from './errors.js';
import { CHECKOUT_DIR, type FleetTarget, findFleetTarget } from './mcp-install-target.js';

export interface InstallFlags {
  name?: string;
  url?: string;
  agent?: string;
  team?: string;
  type?: string;
  'data-dir'?: string;
  config?: string;
  'skip-check'?: boolean;
}

const HANDLE = /^[A-Za-z0-9_-]{1,50}$/;

/** The admin key the entry will use (the data dir's admin.key), or a sentence saying it is not there. */
function adminKeyFor(target: FleetTarget): { key: string; source: string; note?: string } {
  const path = adminKeyPath(target.dataDir);
  if (existsSync(path)) {
    try {
      return { key: readFileSync(path, 'utf8').trim(), source: path };
    } catch (error) {
      throw new CliError(`cannot read the admin key at ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  // A fleet started with FLEET_ADMIN_KEY writes no key file; the bridge reads the variable from
  // Claude Code's environment.
  if (process.env.FLEET_ADMIN_KEY)
    return {
      key: process.env.FLEET_ADMIN_KEY,
      source: 'FLEET_ADMIN_KEY',
      note:
        `${path} does not exist, so the check used FLEET_ADMIN_KEY: start Claude Code with FLEET_ADMIN_KEY ` +
        'in its environment too (it is never written to .mcp.json)',
    };
  throw new CliError(
    `admin key not found: ${path} does not exist, so ${target.dataDir} (from ${target.dataDirFrom}) is not the data ` +
      'dir of a fleet that has started; pass --data-dir <the dir where the fleet keeps admin.key and fleet.db>',
  );
}

/** The check's failure, worded for the person running install: which flag to change. */
function explain(error: BridgeError, target: FleetTarget, keySource: string): CliError {
  switch (error.kind) {
    case 'unreachable':
      return new CliError(
        `${error.message}, the URL from ${target.urlFrom}: start the fleet (\`npm start\` in ${CHECKOUT_DIR}) ` +
          'or pass --url <its URL>; --skip-check writes the entry without asking it',
      );
    case 'key-refused':
      return new CliError(
        `${error.message}: ${target.dataDir} (from ${target.dataDirFrom}) is another fleet's data dir; ` +
          `pass --data-dir <the data dir of the fleet at ${target.url}>` +
          (keySource === 'FLEET_ADMIN_KEY' ? ', or unset FLEET_ADMIN_KEY' : ''),
      );
    case 'not-a-fleet':
      return new CliError(`${error.message} (the URL from ${target.urlFrom}); pass --url <the fleet's URL>`);
    default:
      return new CliError(error.message);
  }
}

/**
 * `fleet mcp install`: find the fleet, make the request the bridge will make (register the agent
 * with the admin key, list the tools), then write .mcp.json and Claude Code's permission for the
 * fleet's tools, merging into what is there. Nothing is written when a check fails.
 */
export async function runInstall(flags: InstallFlags, projectDir = process.cwd()): Promise<number> {
  const name = flags.name ?? 'fleet';
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) throw usageError('--name: must be 1–64 of A-Z a-z 0-9 _ -');
  // Both files are read (and refused if broken) before anything is asked or written.
  const mcpFile = readMcpFile(projectDir);
  const settings = planClaudeSettings(projectDir, name);
  const previous = previousEnv(mcpFile, name);

  const agent = flags.agent ?? previous.CLAUDE_CODE_AGENT_NAME;
  if (!agent)
    throw usageError(
      '--agent <handle> is required: the name this project’s Claude Code has in the fleet ' +
        '(e.g. --agent me --team alpha --type team-lead)',
    );
  const team = flags.team ?? previous.CLAUDE_CODE_TEAM_NAME ?? 'dev-team';
  const type = flags.type ?? previous.CLAUDE_CODE_AGENT_TYPE ?? 'worker';
  if (!HANDLE.test(agent)) throw usageError('--agent: must be 1–50 of A-Z a-z 0-9 _ -');
  if (!HANDLE.test(team)) throw usageError('--team: must be 1–50 of A-Z a-z 0-9 _ -');
  if (type !== 'worker' && type !== 'team-lead') throw usageError('--type: must be worker or team-lead');

  const target = await findFleetTarget({
    url: flags.url,
    dataDir: flags['data-dir'],
    config: flags.config,
    previous,
  }).catch((error: Error) => {
    throw flags.url && error.message.startsWith('--url') ? usageError(error.message) : error;
  });

  const report: string[] = [];
  if (flags['skip-check']) {
    report.push(`Not checked (--skip-check): the fleet at ${target.url}, the admin key in ${target.dataDir}.`);
  } else {
    const key = adminKeyFor(target);
    const credentials: BridgeCredentials = {
      url: target.url,
      register: { handle: agent, teamName: team, agentType: type, adminKey: key.key, adminKeySource: key.source },
    };
    let tools: number;
    try {
      tools = await new FleetBridge(credentials).check();
    } catch (error) {
      throw error instanceof BridgeError ? explain(error, target, key.source) : error;
    }
    report.push(
      `Checked: the fleet at ${target.url} registered ${agent} (team ${team}, ${type}) with the admin key ` +
        `from ${key.source}, and serves it ${tools} tools.`,
    );
    if (key.note) report.push(`Note: ${key.note}.`);
  }

  // Both URL variables: the bridge reads FLEET_URL first, so an unrelated FLEET_URL in the user's shell cannot win.
  const env: Record<string, string> = {
    FLEET_URL: target.url,
    CLAUDE_FLEET_URL: target.url,
    FLEET_DATA_DIR: target.dataDir,
    CLAUDE_CODE_AGENT_NAME: agent,
    CLAUDE_CODE_TEAM_NAME: team,
    CLAUDE_CODE_AGENT_TYPE: type,
  };
  const entry = planMcpEntry(mcpFile, name, env);
  writeJsonObject(mcpFile.path, entry.next);
  report.push(
    `${entry.created ? 'Created' : 'Updated'} ${mcpFile.path}: server "${name}" runs ` +
      `${process.execPath} ${CHECKOUT_DIR}/bin/fleet.mjs mcp (data dir ${target.dataDir}, from ${target.dataDirFrom}).`,
  );
  if (settings.changes.length > 0) {
    writeJsonObject(settings.path, settings.next);
    report.push(
      `Updated ${settings.path}: ${settings.changes.join(', ')} ` +
        `(claude, and claude -p without --allowedTools, may use the fleet's tools mcp__${name}__*).`,
    );
  } else {
    report.push(`${settings.path} already allows mcp__${name} and approves server "${name}".`);
  }
  report.push(`The same server with Claude Code's own command:\n  ${entry.command}`);
  process.stdout.write(report.join('\n') + '\n');
  return 0;
}

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FLEET_BIN = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../bin/fleet.mjs');

export interface InstallOptions {
  projectDir: string;
  name: string;
  url: string;
  agentName?: string;
  teamName?: string;
  agentType?: string;
  dataDir?: string;
}

/** Quote one argument for a POSIX shell, for the command we print (never run). */
const shellQuote = (value: string) => (/^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`);

/**
 * Add `fleet mcp` to the project's .mcp.json (keeping every other server), and return the
 * equivalent `claude mcp add` command for those who prefer Claude Code to write it.
 */
export function installMcpEntry(options: InstallOptions): { path: string; command: string; created: boolean } {
  const path = join(options.projectDir, '.mcp.json');
  let current: { mcpServers?: Record<string, unknown> } = {};
  const created = !existsSync(path);
  if (!created) {
    try {
      current = JSON.parse(readFileSync(path, 'utf8')) as typeof current;
    } catch {
      throw new Error(`${path} is not valid JSON; fix or remove it first`);
    }
  }
  // Both names: the bridge reads FLEET_URL first, so an unrelated FLEET_URL in the user's shell cannot win.
  const env: Record<string, string> = { FLEET_URL: options.url, CLAUDE_FLEET_URL: options.url };
  if (options.agentName) env.CLAUDE_CODE_AGENT_NAME = options.agentName;
  if (options.teamName) env.CLAUDE_CODE_TEAM_NAME = options.teamName;
  if (options.agentType) env.CLAUDE_CODE_AGENT_TYPE = options.agentType;
  if (options.dataDir) env.FLEET_DATA_DIR = resolve(options.dataDir);
  const entry = { type: 'stdio', command: process.execPath, args: [FLEET_BIN, 'mcp'], env };
  const next = { ...current, mcpServers: { ...(current.mcpServers ?? {}), [options.name]: entry } };
  writeFileSync(path, JSON.stringify(next, null, 2) + '\n');
  const envArgs = Object.entries(env).flatMap(([key, value]) => ['-e', `${key}=${value}`]);
  const command = [
    'claude',
    'mcp',
    'add',
    '--scope',
    'project',
    options.name,
    ...envArgs,
    '--',
    process.execPath,
    FLEET_BIN,
    'mcp',
  ]
    .map(shellQuote)
    .join(' ');
  return { path, command, created };
}

import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isJsonObject, type JsonObject, readJsonObject } from './json-file.js';

export const FLEET_BIN = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../bin/fleet.mjs');

/** The project's .mcp.json, read and checked before anything is written. */
export interface McpFile {
  path: string;
  current: JsonObject | undefined;
}

export function readMcpFile(projectDir: string): McpFile {
  const path = join(projectDir, '.mcp.json');
  const current = readJsonObject(path);
  if (current && current.mcpServers !== undefined && !isJsonObject(current.mcpServers))
    throw new Error(`${path}: mcpServers is not an object; fix or remove it first`);
  return { path, current };
}

/** The environment of server `name` as an earlier `fleet mcp install` (or a person) wrote it. */
export function previousEnv(file: McpFile, name: string): Record<string, string> {
  const entry = (file.current?.mcpServers as JsonObject | undefined)?.[name];
  const env = isJsonObject(entry) ? entry.env : undefined;
  if (!isJsonObject(env)) return {};
  return Object.fromEntries(
    Object.entries(env).filter((pair): pair is [string, string] => typeof pair[1] === 'string'),
  );
}

/** Quote one argument for a POSIX shell, for the command we print (never run). */
const shellQuote = (value: string) => (/^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`);

/**
 * The next .mcp.json: server `name` runs this checkout's `fleet mcp` by absolute paths (so it
 * works whatever the PATH), its environment merged over the one it had (so a re-run keeps what an
 * earlier run or the user set), every other server and key kept. Also the equivalent
 * `claude mcp add` command, for those who prefer Claude Code to write it.
 */
export function planMcpEntry(
  file: McpFile,
  name: string,
  env: Record<string, string>,
): { next: JsonObject; command: string; created: boolean } {
  const current = file.current ?? {};
  const servers = (current.mcpServers ?? {}) as JsonObject;
  const old = isJsonObject(servers[name]) ? servers[name] : {};
  const mergedEnv = { ...previousEnv(file, name), ...env };
  const entry = { ...old, type: 'stdio', command: process.execPath, args: [FLEET_BIN, 'mcp'], env: mergedEnv };
  const next = { ...current, mcpServers: { ...servers, [name]: entry } };
  const envArgs = Object.entries(mergedEnv).flatMap(([key, value]) => ['-e', `${key}=${value}`]);
  const command = [
    'claude',
    'mcp',
    'add',
    '--scope',
    'project',
    name,
    ...envArgs,
    '--',
    process.execPath,
    FLEET_BIN,
    'mcp',
  ]
    .map(shellQuote)
    .join(' ');
  return { next, command, created: file.current === undefined };
}

import { join } from 'node:path';
import { isJsonObject, type JsonObject, readJsonObject } from './json-file.js';

/**
 * Claude Code's personal project settings. Not .claude/settings.json: Claude Code 2.1.330 ignores
 * the permissions.allow of that shared file in a workspace nobody has trusted interactively, which
 * is exactly where `claude -p` runs for a new lead ("Ignoring 1 permissions.allow entry from
 * .claude/settings.json: this workspace has not been trusted"); settings.local.json is honoured.
 * It is also the file Claude Code itself writes approvals to, and is kept out of git.
 */
export const CLAUDE_LOCAL_SETTINGS = join('.claude', 'settings.local.json');

/** The permission rule that lets Claude Code call every tool of MCP server `name` without asking. */
export const serverToolsRule = (name: string) => `mcp__${name}`;

/** A list setting, or an error naming it (we add to lists; we never replace what we cannot read). */
function stringList(what: string, value: unknown): string[] {
  if (value === undefined) return [];
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value;
  throw new Error(`${what} is not a list of strings; fix it first`);
}

/**
 * The next settings.local.json: `mcp__<name>` in permissions.allow (so `claude -p` may call the
 * fleet's tools without --allowedTools), and the server approved in enabledMcpjsonServers (so
 * the interactive claude does not ask), every other setting kept. `changes` says what was added.
 */
export function planClaudeSettings(
  projectDir: string,
  name: string,
): { path: string; next: JsonObject; changes: string[] } {
  const path = join(projectDir, CLAUDE_LOCAL_SETTINGS);
  const current = readJsonObject(path) ?? {};
  const permissions = current.permissions ?? {};
  if (!isJsonObject(permissions)) throw new Error(`${path}: permissions is not an object; fix it first`);
  const allow = stringList(`${path}: permissions.allow`, permissions.allow);
  const enabled = stringList(`${path}: enabledMcpjsonServers`, current.enabledMcpjsonServers);
  const rule = serverToolsRule(name);
  const changes: string[] = [];
  const next: JsonObject = { ...current };
  if (!allow.includes(rule)) {
    next.permissions = { ...permissions, allow: [...allow, rule] };
    changes.push(`permissions.allow += ${rule}`);
  }
  if (!enabled.includes(name)) {
    next.enabledMcpjsonServers = [...enabled, name];
    changes.push(`enabledMcpjsonServers += ${name}`);
  }
  return { path, next, changes };
}

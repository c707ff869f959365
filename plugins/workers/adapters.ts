import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FLEET_BIN, type SpawnSpec, workerFiles } from '../../core/index.js';
import type { GuardedLaunch } from './launch-guards.js';
import type { WorkersOptions } from './options.js';

export interface SpawnContext {
  handle: string;
  teamName: string;
  dir: string;
  cwd: string;
  adapter: string;
  sessionId: string;
  resume: boolean;
  prompt: string | undefined;
  fleetUrl: string;
  token: string;
  model?: string;
  /** The server's environment now: PATH, ANTHROPIC_* and the like reach the agent. */
  baseEnv: Record<string, string | undefined>;
  /** What the launch guards ask of a claude worker (settings, setting sources); absent: nothing. */
  guarded?: GuardedLaunch;
}

/** The Claude Code settings the launch guards give a worker: `<worker dir>/settings.json`. */
export const guardSettingsPath = (dir: string) => join(dir, 'settings.json');

/**
 * Write the guards' settings for `--settings` (mode 0600: a hook's command line is the worker's
 * business only), or remove a file an earlier launch left when there is none now.
 */
function writeGuardSettings(dir: string, settings: Record<string, unknown> | undefined): string | undefined {
  const path = guardSettingsPath(dir);
  if (!settings) {
    rmSync(path, { force: true });
    return undefined;
  }
  writeFileSync(path, JSON.stringify(settings, null, 2), { mode: 0o600 });
  chmodSync(path, 0o600);
  return path;
}

function cleanEnv(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) out[key] = value;
  return out;
}

/** The MCP config Claude Code starts `fleet mcp` from, with this worker's URL and token (mode 0600). */
export function writeMcpConfig(context: SpawnContext): string {
  const path = workerFiles(context.dir).mcpConfig;
  const config = {
    mcpServers: {
      fleet: {
        type: 'stdio',
        command: process.execPath,
        args: [FLEET_BIN, 'mcp'],
        env: { FLEET_URL: context.fleetUrl, CLAUDE_FLEET_URL: context.fleetUrl, FLEET_TOKEN: context.token },
      },
    },
  };
  writeFileSync(path, JSON.stringify(config, null, 2), { mode: 0o600 });
  chmodSync(path, 0o600);
  return path;
}

function teamContext(context: SpawnContext, extra: string | undefined): string {
  return [
    `You are ${context.handle}, a worker of team ${context.teamName} in a Claude Fleet.`,
    'Coordinate through the fleet MCP tools (mcp__fleet__*): ' +
      'team_status, team_tasks, team_claim, team_complete, mail_read, mail_send, team_send.',
    extra ?? '',
  ]
    .filter(Boolean)
    .join('\n');
}

/**
 * What the pane host runs for a worker. `claude`: Claude Code in stream-json mode with this
 * worker's session id (or --resume), its own MCP config and the fleet's tools allowed without a
 * prompt. A configured command: any CLI, raw text output.
 */
export function buildSpawnSpec(context: SpawnContext, options: WorkersOptions): SpawnSpec {
  const env = cleanEnv({
    ...context.baseEnv,
    CLAUDE_CODE_TEAM_NAME: context.teamName,
    CLAUDE_CODE_AGENT_NAME: context.handle,
    CLAUDE_CODE_AGENT_TYPE: 'worker',
    CLAUDE_FLEET_URL: context.fleetUrl,
    FLEET_URL: context.fleetUrl,
    FLEET_TOKEN: context.token,
  });
  const heartbeatMs = options.heartbeatSeconds * 1000;
  if (context.adapter === 'claude') {
    const claude = options.claude;
    const argv = [
      ...claude.command,
      '-p',
      '--input-format',
      'stream-json',
      '--output-format',
      'stream-json',
      '--verbose',
      ...(context.resume ? ['--resume', context.sessionId] : ['--session-id', context.sessionId]),
      '--mcp-config',
      writeMcpConfig(context),
      '--strict-mcp-config',
      // Rule `mcp__fleet` allows every tool of the fleet server; other tools follow the permission mode.
      '--allowedTools',
      'mcp__fleet',
      '--append-system-prompt',
      teamContext(context, claude.appendSystemPrompt),
    ];
    const model = context.model ?? claude.model;
    if (model) argv.push('--model', model);
    if (claude.permissionMode) argv.push('--permission-mode', claude.permissionMode);
    const settingsFile = writeGuardSettings(context.dir, context.guarded?.settings);
    if (settingsFile) argv.push('--settings', settingsFile);
    // '' is a real value: no settings file but --settings (and the managed ones) is read.
    const sources = context.guarded?.settingSources;
    if (sources) argv.push('--setting-sources', sources.join(','));
    return {
      handle: context.handle,
      teamName: context.teamName,
      adapter: 'claude',
      argv,
      cwd: context.cwd,
      env,
      format: 'ndjson',
      initialPrompt: context.prompt,
      heartbeatMs,
    };
  }
  const command = Object.hasOwn(options.commands, context.adapter) ? options.commands[context.adapter] : undefined;
  if (!command) throw new Error(`unknown adapter ${context.adapter}`);
  return {
    handle: context.handle,
    teamName: context.teamName,
    adapter: context.adapter,
    argv: [...command.argv],
    cwd: context.cwd,
    env,
    format: command.format,
    initialPrompt: context.prompt,
    heartbeatMs,
    idleMarker: command.idleMarker,
    errorMarker: command.errorMarker,
  };
}

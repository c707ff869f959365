import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

type Env = Record<string, string | undefined>;

export interface BridgeCredentials {
  url: string;
  /** A fixed token (FLEET_TOKEN), or how to get one by registering with the admin key. */
  token?: string;
  register?: {
    handle: string;
    teamName: string;
    agentType: string;
    adminKey: string;
    /** Where the admin key came from (FLEET_ADMIN_KEY or the key file's path), for error messages. */
    adminKeySource: string;
  };
}

const HANDLE = /^[A-Za-z0-9_-]{1,50}$/;

/**
 * Decide how `fleet mcp` authenticates, or say exactly what is missing. With FLEET_TOKEN it uses
 * that token (workers the fleet spawns get one). Without it, as when a person adds `fleet mcp` to
 * their own Claude Code, it registers under CLAUDE_CODE_AGENT_NAME / _TEAM_NAME / _AGENT_TYPE with
 * the admin key from FLEET_ADMIN_KEY or the data dir.
 */
export function bridgeCredentials(env: Env, cwd = process.cwd()): BridgeCredentials {
  const url = (env.FLEET_URL ?? env.CLAUDE_FLEET_URL ?? `http://127.0.0.1:${env.PORT ?? 3847}`).replace(/\/+$/, '');
  if (env.FLEET_TOKEN) return { url, token: env.FLEET_TOKEN };
  const handle = env.CLAUDE_CODE_AGENT_NAME;
  if (!handle) {
    throw new Error(
      'FLEET_TOKEN is not set and neither is CLAUDE_CODE_AGENT_NAME: ' +
        'set FLEET_TOKEN to an agent token (`fleet token --handle <name>`), ' +
        'or set CLAUDE_CODE_AGENT_NAME (and CLAUDE_CODE_TEAM_NAME) to register with the admin key',
    );
  }
  const teamName = env.CLAUDE_CODE_TEAM_NAME ?? 'dev-team';
  const agentType = env.CLAUDE_CODE_AGENT_TYPE ?? 'worker';
  if (!HANDLE.test(handle))
    throw new Error(`CLAUDE_CODE_AGENT_NAME: must be 1–50 of A-Z a-z 0-9 _ - (got ${JSON.stringify(handle)})`);
  if (!HANDLE.test(teamName))
    throw new Error(`CLAUDE_CODE_TEAM_NAME: must be 1–50 of A-Z a-z 0-9 _ - (got ${JSON.stringify(teamName)})`);
  if (agentType !== 'worker' && agentType !== 'team-lead')
    throw new Error(`CLAUDE_CODE_AGENT_TYPE: must be worker or team-lead (got ${JSON.stringify(agentType)})`);
  let adminKey = env.FLEET_ADMIN_KEY;
  let adminKeySource = 'FLEET_ADMIN_KEY';
  if (!adminKey) {
    const path = join(resolve(cwd, env.FLEET_DATA_DIR ?? '.fleet'), 'admin.key');
    if (!existsSync(path)) {
      throw new Error(
        'FLEET_TOKEN is not set and there is no admin key to register with: ' +
          `FLEET_ADMIN_KEY is unset and ${path} does not exist (set FLEET_DATA_DIR to the fleet's data dir)`,
      );
    }
    try {
      adminKey = readFileSync(path, 'utf8').trim();
    } catch (error) {
      throw new Error(`cannot read the admin key at ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, {
        cause: error,
      });
    }
    adminKeySource = path;
  }
  return { url, register: { handle, teamName, agentType, adminKey, adminKeySource } };
}

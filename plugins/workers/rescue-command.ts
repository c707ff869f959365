import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { FleetConfig, PluginCommand } from '../../core/index.js';
import type { WorkersOptions } from './options.js';

const NAME = /^[A-Za-z0-9_-]{1,50}$/;

const USAGE = `Usage: fleet rescue list [--handle <handle>] [--team <team>] [--json]
       fleet rescue restore <id> [--handle <handle>] [--path <dir>] [--team <team>]

Rescues are what the fleet saved before removing a worker's worktree that held uncommitted changes,
untracked files or unpushed commits: a commit at refs/fleet/rescue/<handle>/<time> in its repository.
list shows the team's rescues (newest first); restore <id> makes a new worktree on a new branch
fleet/<handle> (default <handle>-r<id>) at the rescued HEAD, with the rescued changes uncommitted and
untracked files untracked, at --path or <data dir>/worktrees/<team>/<handle>. An existing directory
or branch is never overwritten.

The command acts as the team's lead \`operator\` (or $FLEET_OPERATOR): with the admin key
($FLEET_ADMIN_KEY or <data dir>/admin.key) it registers that lead and uses its token, as fleet spawn,
send and dismiss do; without an admin key it uses $FLEET_TOKEN.

Options:
  --team <team>       The team (default $CLAUDE_CODE_TEAM_NAME or dev-team)
  --handle <handle>   list: only this worker's rescues; restore: the new worktree's handle
  --path <dir>        restore: where the new worktree goes (absolute; must not exist)
  --json              list: print the rescues as the fleet gives them
  --url <url>         The fleet's URL (default $FLEET_URL, $CLAUDE_FLEET_URL, else the config's
                      server.publicUrl or http://127.0.0.1:<server.port>)
  --config <file>     Config file to read the port and data dir from
  --data-dir <dir>    Where admin.key is (default the config's dataDir)
  -h, --help          Show this help`;

class CommandError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

interface Rescue {
  id: number;
  handle: string;
  ref: string;
  branch: string | null;
  changed: number;
  untracked: number;
  unpushed: number;
  createdAt: string;
  restored: { path: string; branch: string } | null;
}

type Values = { [key: string]: string | boolean | undefined };

/** The fleet's URL, as the other client commands find it: --url, the environment, then the config. */
function fleetUrl(values: Values, config: FleetConfig): string {
  const host = config.server.host;
  const connect = host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host;
  const fromConfig =
    config.server.publicUrl ?? `http://${connect.includes(':') ? `[${connect}]` : connect}:${config.server.port}`;
  const env = process.env;
  const url = (values.url as string | undefined) ?? env.FLEET_URL ?? env.CLAUDE_FLEET_URL ?? fromConfig;
  return url.replace(/\/+$/, '');
}

async function request(url: string, init: RequestInit): Promise<{ status: number; body: Record<string, unknown> }> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new CommandError(`no fleet answering at ${new URL(url).origin} (${cause}); is \`fleet up\` running?`, 1);
  }
  return { status: response.status, body: (await response.json().catch(() => ({}))) as Record<string, unknown> };
}

/** A lead token for the team: the admin key registers the operator lead, else $FLEET_TOKEN. */
async function tokenFor(url: string, team: string, values: Values, config: FleetConfig): Promise<string> {
  const dataDir = values['data-dir'] ? resolve(values['data-dir'] as string) : config.dataDir;
  const keyFile = join(dataDir, 'admin.key');
  const adminKey =
    process.env.FLEET_ADMIN_KEY ?? (existsSync(keyFile) ? readFileSync(keyFile, 'utf8').trim() : undefined);
  if (!adminKey) {
    if (process.env.FLEET_TOKEN) return process.env.FLEET_TOKEN;
    throw new CommandError(`no admin key: FLEET_ADMIN_KEY is not set and ${keyFile} does not exist`, 1);
  }
  const handle = process.env.FLEET_OPERATOR ?? 'operator';
  if (!NAME.test(handle)) throw new CommandError('$FLEET_OPERATOR: must be 1–50 of A-Z a-z 0-9 _ -', 2);
  const { status, body } = await request(`${url}/auth`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${adminKey}` },
    body: JSON.stringify({ handle, teamName: team, agentType: 'team-lead' }),
  });
  if (status < 300 && typeof body.token === 'string') return body.token;
  const reason = typeof body.error === 'string' ? body.error : `HTTP ${status}`;
  throw new CommandError(
    `cannot act as ${handle}, the lead of team ${team}: ${reason}`,
    status === 400 || status === 409 ? 2 : 1,
  );
}

async function call(url: string, token: string, method: string, path: string, body?: Record<string, unknown>) {
  const answer = await request(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (answer.status < 300) return answer.body as unknown;
  if (answer.body.code === 'FLEET_ROUTE_NOT_FOUND')
    throw new CommandError(`the fleet at ${url} does not serve ${method} ${path}: is the workers plugin on?`, 1);
  const error = typeof answer.body.error === 'string' ? answer.body.error : `HTTP ${answer.status}`;
  throw new CommandError(error, answer.status >= 400 && answer.status < 500 ? 2 : 1);
}

/** Columns padded to their widest cell, two spaces apart. */
export function rescueTable(rescues: readonly Rescue[]): string {
  const rows = [
    ['ID', 'HANDLE', 'CREATED', 'CHANGED', 'UNTRACKED', 'UNPUSHED', 'RESTORED', 'REF'],
    ...rescues.map((r) => [
      String(r.id),
      r.handle,
      r.createdAt,
      String(r.changed),
      String(r.untracked),
      String(r.unpushed),
      r.restored ? r.restored.path : '-',
      r.ref,
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

async function run(argv: readonly string[], config: FleetConfig): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        team: { type: 'string' },
        handle: { type: 'string' },
        path: { type: 'string' },
        json: { type: 'boolean' },
        url: { type: 'string' },
        config: { type: 'string' },
        'data-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new CommandError(`${(error as Error).message.split('\n')[0]}; see --help`, 2);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const [action, ...rest] = positionals;
  const team = values.team ?? process.env.CLAUDE_CODE_TEAM_NAME ?? 'dev-team';
  if (!NAME.test(team)) throw new CommandError('--team: must be 1–50 of A-Z a-z 0-9 _ -', 2);
  if (values.handle !== undefined && !NAME.test(values.handle))
    throw new CommandError('--handle: must be 1–50 of A-Z a-z 0-9 _ -', 2);
  if (action === 'list') {
    if (rest.length > 0) throw new CommandError(`list takes no arguments (got ${rest.join(' ')}); see --help`, 2);
    if (values.path !== undefined) throw new CommandError('--path is for restore; see --help', 2);
    const url = fleetUrl(values, config);
    const token = await tokenFor(url, team, values, config);
    const query = values.handle ? `?handle=${values.handle}` : '';
    const rescues = (await call(url, token, 'GET', `/orchestrate/rescue${query}`)) as Rescue[];
    if (values.json) process.stdout.write(`${JSON.stringify(rescues, null, 2)}\n`);
    else if (rescues.length === 0) process.stdout.write(`no rescues in team ${team}\n`);
    else process.stdout.write(`${rescueTable(rescues)}\n`);
    return 0;
  }
  if (action === 'restore') {
    const [id, ...extra] = rest;
    if (id === undefined || !/^[1-9]\d{0,9}$/.test(id))
      throw new CommandError(`restore needs a rescue id (a positive number; got ${id ?? 'none'}); see --help`, 2);
    if (extra.length > 0) throw new CommandError(`one rescue at a time (got ${rest.join(', ')}); see --help`, 2);
    if (values.json) throw new CommandError('--json is for list; see --help', 2);
    const path = values.path === undefined ? undefined : resolve(values.path);
    const url = fleetUrl(values, config);
    const token = await tokenFor(url, team, values, config);
    const answer = (await call(url, token, 'POST', `/orchestrate/rescue/${id}/restore`, {
      ...(values.handle ? { handle: values.handle } : {}),
      ...(path ? { path } : {}),
    })) as { rescue: Rescue; restored: { handle: string; path: string; branch: string } };
    const { rescue, restored } = answer;
    process.stdout.write(
      `restored rescue ${rescue.id} of ${rescue.handle} to ${restored.path} on branch ${restored.branch}: ` +
        `${rescue.changed} changed and ${rescue.untracked} untracked files back as uncommitted changes, ` +
        `${rescue.unpushed} unpushed commits on the branch\n`,
    );
    return 0;
  }
  throw new CommandError(
    action === undefined ? 'say list or restore <id>; see --help' : `unknown action ${action}; see --help`,
    2,
  );
}

/** `fleet rescue list` and `fleet rescue restore <id>`: the team's worktree rescues, through the fleet's API. */
export const rescueCommand: PluginCommand<WorkersOptions> = {
  summary: 'Worktree rescues: list them, restore one into a new worktree',
  usage: USAGE,
  async run(argv, { config }) {
    try {
      return await run(argv, config);
    } catch (error) {
      if (!(error instanceof CommandError)) throw error;
      process.stderr.write(`fleet rescue: ${error.message}\n`);
      return error.exitCode;
    }
  },
};

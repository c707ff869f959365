import { CliError, usageError } from './errors.js';
import { fleetTarget, TARGET_HELP, TARGET_OPTIONS } from './fleet-target.js';
import { fetchFleet } from './fleet-url.js';
import { readAdminKey, registerWithAdminKey } from './token.js';

const NAME = /^[A-Za-z0-9_-]{1,50}$/;

/** The options of the commands that act on a team's workers. */
export const OPERATOR_OPTIONS = { ...TARGET_OPTIONS, team: { type: 'string' } } as const;

export const OPERATOR_HELP = `  --team <team>       The team (default $CLAUDE_CODE_TEAM_NAME or dev-team)
${TARGET_HELP}`;

/**
 * How these commands act: the admin key may only register agents (DESIGN §4), and spawning,
 * sending and dismissing are a team lead's. So the CLI registers a lead of the team with the admin
 * key, named \`operator\` (or $FLEET_OPERATOR), and acts with that lead's token: the person at the
 * machine that holds the admin key is the operator of every team.
 */
export const OPERATOR_NOTE = `These commands act as the team's lead \`operator\` (or $FLEET_OPERATOR): with the admin
key ($FLEET_ADMIN_KEY or <data dir>/admin.key) they register that lead and use its token.`;

/** A handle or team given on the command line, checked before anything is asked of the fleet. */
export function checkName(what: string, value: string | undefined): string {
  if (value === undefined || value === '') throw usageError(`${what} is required; see --help`);
  if (!NAME.test(value)) throw usageError(`${what}: must be 1–50 of A-Z a-z 0-9 _ - (got ${JSON.stringify(value)})`);
  return value;
}

/** Requests to the fleet with one credential. */
export interface FleetClient {
  url: string;
  /** A request to the fleet; a refusal becomes a one-line error. */
  call<T = Record<string, unknown>>(method: string, path: string, body?: Record<string, unknown>): Promise<T>;
}

export interface Operator extends FleetClient {
  team: string;
}

/** The fleet (from the config, as `fleet up` reads it) and a lead token for the team, minted with the admin key. */
export async function operatorFor(values: {
  url?: string;
  config?: string;
  'data-dir'?: string;
  team?: string;
}): Promise<Operator> {
  const team = checkName('--team', values.team ?? process.env.CLAUDE_CODE_TEAM_NAME ?? 'dev-team');
  const handle = checkName('$FLEET_OPERATOR', process.env.FLEET_OPERATOR ?? 'operator');
  const target = await fleetTarget(values);
  const adminKey = readAdminKey(target.dataDir);
  // No type change: an agent of that name that is not a lead is refused, not demoted or promoted.
  const { token } = await registerWithAdminKey(target.url, adminKey, {
    handle,
    teamName: team,
    agentType: 'team-lead',
  }).catch((error: Error & { code?: string; agentType?: string }) => {
    if (error.code !== 'AUTH_TYPE_CHANGE_UNCONFIRMED') throw error;
    throw new CliError(
      `cannot act as ${handle}, the lead of team ${team}: the team has a ${error.agentType} of that name ` +
        '(set $FLEET_OPERATOR to another handle)',
    );
  });
  return { ...fleetClient(target.url, token), team };
}

/**
 * The fleet and its admin key itself, for what only the admin key sees: every team at once (the
 * board, GET /orchestrate/board). Nothing is registered.
 */
export async function adminFor(values: { url?: string; config?: string; 'data-dir'?: string }): Promise<FleetClient> {
  const target = await fleetTarget(values);
  return fleetClient(target.url, readAdminKey(target.dataDir));
}

function fleetClient(url: string, bearer: string): FleetClient {
  return {
    url,
    async call<T>(method: string, path: string, body?: Record<string, unknown>): Promise<T> {
      const response = await fetchFleet(`${url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${bearer}`,
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
      });
      const answer = (await response.json().catch(() => ({}))) as Record<string, unknown>;
      if (response.ok) return answer as T;
      const error = typeof answer.error === 'string' ? answer.error : `HTTP ${response.status}`;
      if (answer.code === 'FLEET_ROUTE_NOT_FOUND')
        throw new CliError(`the fleet at ${url} does not serve ${method} ${path}: is the workers plugin on?`);
      // The request was wrong (a bad field, a handle in use): a usage error, as for a bad option.
      if (response.status === 400 || response.status === 409) throw usageError(error);
      throw new CliError(error);
    },
  };
}

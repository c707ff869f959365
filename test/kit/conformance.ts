/**
 * The conformance suite, generated from the operation registry: for every non-public operation
 * of a plugin it checks, over the real HTTP surface and the real tool surface,
 * - 401 without a token;
 * - another team's lead and worker get 403/404 (or, for operations on the caller's own team, an
 *   answer about their own team) and never the owner team's data;
 * - each required field missing gives a 400 naming it, and each tool refuses it with the same message;
 * - a field of the wrong type is refused with the same message by the route and every tool;
 * - the owner team's valid call succeeds, and a read served by a route and a tool answers the same.
 * A plugin's suite supplies one fixture per operation: a valid input (creating what it needs).
 */
import type { Test } from 'tap';
import * as v from 'valibot';
import type { Kernel } from '../../core/kernel/kernel.js';
import { pathParams, requiredKeys, ToolArguments } from '../../core/operations/input.js';
import type { Operation, ToolBinding } from '../../core/operations/operation.js';

export interface ConformanceAgent {
  handle: string;
  uid: string;
  token: string;
  teamName: string;
}

export interface ConformanceTeam {
  lead: ConformanceAgent;
  workers: ConformanceAgent[];
}

/** What the suite needs of a test fleet. */
export interface ConformanceFleet {
  kernel: Kernel;
  request(
    method: string,
    path: string,
    options?: { token?: string; body?: unknown },
  ): Promise<{ status: number; body: any }>;
  register(
    handle: string,
    teamName: string,
    agentType?: 'worker' | 'team-lead',
  ): Promise<{ uid: string; token: string }>;
}

export interface FixtureContext {
  fleet: ConformanceFleet;
  /** The owner team: lead `lead-alpha`, workers `alpha-w1`, `alpha-w2`. */
  alpha: ConformanceTeam;
  /** Another team: lead `lead-beta`, worker `beta-w1`. */
  beta: ConformanceTeam;
  /** Call a route as an agent (to create what a fixture needs); throws unless 2xx. */
  call(agent: ConformanceAgent, method: string, path: string, body?: unknown): Promise<any>;
}

export interface Fixture {
  /** A valid input of the operation for the owner team (path params included). */
  input: Record<string, unknown>;
  /** Who of the owner team makes the valid call. Default: its lead. */
  as?: 'lead' | 'worker';
  /** Values of the owner team's resources that must never reach the other team (ids, texts). */
  secrets?: readonly string[];
  /**
   * How the operation answers the other team: `deny` (403 or 404: the input names the owner team's
   * resources) or `own` (it works on the caller's own team, answering about that team only).
   */
  otherTeam?: 'deny' | 'own';
  /** The same for the tools, when they differ: a tool without the route's `teamName` acts on the caller's own team. */
  toolsOtherTeam?: 'deny' | 'own';
  /** Why the owner's valid call is skipped, when making it would break what comes after. */
  skipValidCall?: string;
  /** Why a read served by a route and a tool may answer differently (moving state). */
  skipAgreement?: string;
  /**
   * Make the owner's valid call first: for a create whose name the other team's attempt could
   * otherwise take first, when names are shared between teams. (Worker handles used to be; a worker
   * is now its team and its handle, so the workers suite no longer needs this.)
   */
  validCallFirst?: boolean;
}

export type Fixtures = Record<string, (context: FixtureContext) => Promise<Fixture>>;

interface ToolView {
  binding: ToolBinding;
  args: ToolArguments;
}

const WRONG_VALUES: readonly unknown[] = [{ wrong: true }, 12345, true, [{ wrong: true }], 'x'.repeat(1_100_000)];

/** The route's path with its params filled in, and what goes to the query string or the body. */
function httpRequest(
  operation: Operation,
  input: Record<string, unknown>,
): { method: string; path: string; body?: unknown } {
  const http = operation.http!;
  const params = new Set(pathParams(http.path));
  const path = http.path.replace(/:([A-Za-z0-9_]+)/g, (_whole, name: string) =>
    encodeURIComponent(String(input[name])),
  );
  const rest = Object.fromEntries(Object.entries(input).filter(([key]) => !params.has(key)));
  if (http.method === 'GET' || http.method === 'DELETE') {
    const query = new URLSearchParams(Object.entries(rest).map(([key, value]) => [key, String(value)])).toString();
    return { method: http.method, path: query ? `${path}?${query}` : path };
  }
  return { method: http.method, path, body: rest };
}

/** A tool's arguments for an operation input: renamed, without what the tool omits or fixes. */
function toolArgs(view: ToolView, input: Record<string, unknown>): Record<string, unknown> {
  const hidden = new Set([...(view.binding.omit ?? []), ...Object.keys(view.binding.fixed ?? {})]);
  return Object.fromEntries(
    Object.entries(input)
      .filter(([key]) => !hidden.has(key))
      .map(([key, value]) => [view.args.argOf(key), value]),
  );
}

const textOf = (result: { content?: { text: string }[] }) => (result.content ?? []).map((part) => part.text).join('\n');

/** The message after `field: ` of a validation error, from a route body or a tool text. */
function validationMessage(text: string, field: string): string | undefined {
  const marker = `${field}: `;
  const at = text.indexOf(marker);
  return at === -1 ? undefined : text.slice(at + marker.length);
}

/**
 * Run the conformance suite for one plugin on a fleet the caller started (with the plugins it needs).
 * Fails for every non-public operation without a fixture, so a new operation cannot skip it.
 */
export async function runConformance(
  t: Test,
  options: { fleet: ConformanceFleet; plugin: string; fixtures: Fixtures },
): Promise<void> {
  const { fleet, plugin, fixtures } = options;
  const register = async (
    handle: string,
    teamName: string,
    agentType: 'worker' | 'team-lead' = 'worker',
  ): Promise<ConformanceAgent> => ({
    handle,
    teamName,
    ...(await fleet.register(handle, teamName, agentType)),
  });
  const alpha: ConformanceTeam = {
    lead: await register('lead-alpha', 'alpha', 'team-lead'),
    workers: [await register('alpha-w1', 'alpha'), await register('alpha-w2', 'alpha')],
  };
  const beta: ConformanceTeam = {
    lead: await register('lead-beta', 'beta', 'team-lead'),
    workers: [await register('beta-w1', 'beta')],
  };
  const context: FixtureContext = {
    fleet,
    alpha,
    beta,
    async call(agent, method, path, body) {
      const response = await fleet.request(method, path, { token: agent.token, body });
      if (response.status >= 300)
        throw new Error(`fixture call ${method} ${path} failed: ${response.status} ${JSON.stringify(response.body)}`);
      return response.body;
    },
  };
  const callTool = async (agent: ConformanceAgent, name: string, args: unknown) =>
    (await fleet.request('POST', '/mcp/call', { token: agent.token, body: { name, arguments: args } })).body as {
      content: { text: string }[];
      isError?: boolean;
    };

  const operations = fleet.kernel
    .operations()
    .filter((served) => served.plugin === plugin && served.operation.access !== 'public');
  t.ok(operations.length > 0, `plugin ${plugin} serves operations`);
  for (const name of Object.keys(fixtures)) {
    if (!operations.some((served) => served.operation.name === name))
      t.fail(`fixture ${name} names no non-public operation of ${plugin}`);
  }

  for (const { operation } of operations) {
    await t.test(`${plugin}.${operation.name}`, async (t) => {
      const make = fixtures[operation.name];
      if (!make) {
        t.fail(`operation ${operation.name} has no conformance fixture`);
        return;
      }
      const tools: ToolView[] = (operation.tools ?? []).map((binding) => ({
        binding,
        args: new ToolArguments(operation, binding),
      }));
      if (operation.http) {
        const { method, path, body } = httpRequest(
          operation,
          Object.fromEntries(pathParams(operation.http.path).map((key) => [key, 'x'])),
        );
        const anonymous = await fleet.request(method, path, { body });
        t.equal(anonymous.status, 401, 'no token: 401');
        t.equal(anonymous.body?.code, 'FLEET_AUTH_REQUIRED', 'with its code');
      }

      const fixture = await make(context);
      const owner = fixture.as === 'worker' ? alpha.workers[0]! : alpha.lead;
      const secrets = fixture.secrets ?? [];
      const leaks = (answer: unknown) => secrets.filter((secret) => JSON.stringify(answer).includes(secret));

      const validCall = async () => {
        if (fixture.skipValidCall) return;
        let routeAnswer: unknown;
        if (operation.http) {
          const { method, path, body } = httpRequest(operation, fixture.input);
          const answer = await fleet.request(method, path, { token: owner.token, body });
          // A 204 has no body (JSON.stringify gives undefined).
          const shown = String(JSON.stringify(answer.body)).slice(0, 300);
          t.ok(
            answer.status >= 200 && answer.status < 300,
            `the owner's valid call succeeds (got ${answer.status} ${shown})`,
          );
          routeAnswer = answer.body;
        }
        const readOnly = operation.http?.method === 'GET' || !operation.http;
        for (const tool of tools) {
          if (operation.http && !readOnly) break;
          const result = await callTool(owner, tool.binding.name, toolArgs(tool, fixture.input));
          t.ok(
            !result.isError,
            `${tool.binding.name}: the owner's valid call succeeds (${textOf(result).slice(0, 200)})`,
          );
          if (operation.http && !fixture.skipAgreement && !tool.binding.fixed)
            t.same(JSON.parse(textOf(result)), routeAnswer, `${tool.binding.name} answers like the route`);
        }
      };
      if (fixture.validCallFirst) await validCall();

      for (const intruder of [beta.lead, beta.workers[0]!]) {
        if (operation.http) {
          const { method, path, body } = httpRequest(operation, fixture.input);
          const answer = await fleet.request(method, path, { token: intruder.token, body });
          if ((fixture.otherTeam ?? 'deny') === 'deny')
            t.ok(
              [403, 404].includes(answer.status),
              `${intruder.handle}: 403 or 404 (got ${answer.status} ${JSON.stringify(answer.body)})`,
            );
          else t.ok(answer.status < 500, `${intruder.handle}: no server error (got ${answer.status})`);
          t.same(leaks(answer.body), [], `${intruder.handle}: nothing of the owner team in the answer`);
          if (answer.status >= 400)
            t.match(answer.body, { error: String, code: /^[A-Z][A-Z0-9_]+$/ }, `${intruder.handle}: a coded error`);
        }
        for (const tool of tools) {
          const result = await callTool(intruder, tool.binding.name, toolArgs(tool, fixture.input));
          if ((fixture.toolsOtherTeam ?? fixture.otherTeam ?? 'deny') === 'deny')
            t.ok(
              result.isError,
              `${intruder.handle} via ${tool.binding.name}: refused (${textOf(result).slice(0, 200)})`,
            );
          t.same(leaks(result), [], `${intruder.handle} via ${tool.binding.name}: nothing of the owner team`);
          if (result.isError)
            t.match(textOf(result), /^[A-Z][A-Z0-9_]+: /, `${tool.binding.name}: the error starts with its code`);
        }
      }

      const paramKeys = new Set(operation.http ? pathParams(operation.http.path) : []);
      for (const key of requiredKeys(operation.input).filter((k) => !paramKeys.has(k))) {
        const input = Object.fromEntries(Object.entries(fixture.input).filter(([k]) => k !== key));
        let routeMessage: string | undefined;
        if (operation.http) {
          const { method, path, body } = httpRequest(operation, input);
          const answer = await fleet.request(method, path, { token: owner.token, body });
          t.equal(answer.status, 400, `without ${key}: 400`);
          t.match(answer.body, { code: 'FLEET_INVALID_INPUT', field: key }, `without ${key}: the field is named`);
          routeMessage = validationMessage(String(answer.body?.error), key);
          t.equal(routeMessage, 'is required', `without ${key}: "${key}: is required"`);
        }
        for (const tool of tools.filter(
          (view) => !(view.binding.omit ?? []).includes(key) && !(key in (view.binding.fixed ?? {})),
        )) {
          const arg = tool.args.argOf(key);
          const result = await callTool(owner, tool.binding.name, toolArgs(tool, input));
          t.ok(result.isError, `${tool.binding.name} without ${arg}: refused`);
          t.match(
            textOf(result),
            new RegExp(`^FLEET_INVALID_INPUT: ${arg}: `),
            `${tool.binding.name} without ${arg}: the argument is named`,
          );
          t.equal(
            validationMessage(textOf(result), arg),
            routeMessage ?? 'is required',
            `${tool.binding.name} and the route say the same`,
          );
        }
      }
      for (const tool of tools) {
        for (const key of tool.binding.required ?? []) {
          const arg = tool.args.argOf(key);
          const result = await callTool(
            owner,
            tool.binding.name,
            Object.fromEntries(Object.entries(toolArgs(tool, fixture.input)).filter(([k]) => k !== arg)),
          );
          t.match(
            textOf(result),
            new RegExp(`^FLEET_INVALID_INPUT: ${arg}: is required`),
            `${tool.binding.name} requires ${arg}`,
          );
        }
      }

      for (const key of Object.keys(operation.input.entries).filter((k) => !paramKeys.has(k))) {
        const wrong = WRONG_VALUES.find((value) => {
          const parsed = v.safeParse(operation.input, { ...fixture.input, [key]: value });
          return !parsed.success && String(parsed.issues[0]?.path?.[0]?.key) === key;
        });
        if (wrong === undefined) continue;
        const input = { ...fixture.input, [key]: wrong };
        const expected = (() => {
          const parsed = v.safeParse(operation.input, input);
          return parsed.success ? undefined : parsed.issues[0].message;
        })();
        let routeMessage: string | undefined;
        let inner = '';
        if (operation.http && operation.http.method !== 'GET' && operation.http.method !== 'DELETE') {
          const { method, path, body } = httpRequest(operation, input);
          const answer = await fleet.request(method, path, { token: owner.token, body });
          if (answer.status === 413) continue; // a value too large for the body limit never reaches validation
          t.equal(answer.status, 400, `${key} of the wrong type: 400`);
          // A wrong object may be refused for a field inside it (`slack.webhookUrl`): that field is named.
          const field = String(answer.body?.field);
          t.ok(field === key || field.startsWith(`${key}.`), `${key} of the wrong type: the field is named (${field})`);
          routeMessage = validationMessage(String(answer.body?.error), field);
          inner = field.slice(key.length);
        }
        for (const tool of tools.filter(
          (view) => !(view.binding.omit ?? []).includes(key) && !(key in (view.binding.fixed ?? {})),
        )) {
          const arg = tool.args.argOf(key);
          const result = await callTool(owner, tool.binding.name, toolArgs(tool, input));
          if (!result.isError && textOf(result).includes('Request body too large')) continue;
          t.ok(result.isError, `${tool.binding.name} with ${arg} of the wrong type: refused`);
          const message = validationMessage(textOf(result), `${arg}${inner}`);
          if (routeMessage !== undefined)
            t.equal(message, routeMessage, `${tool.binding.name} and the route refuse ${key} alike`);
          else if (expected !== undefined) t.ok(message !== undefined, `${tool.binding.name} names ${arg}`);
        }
      }

      if (!fixture.validCallFirst) await validCall();
    });
  }
}

import * as v from 'valibot';
import { dashboardOperations, type DashboardView } from '../dashboard/operations.js';
import { text } from '../fields.js';
import type { ToolRegistry } from '../mcp/registry.js';
import { buildOpenApi, type OpenApiEntry } from '../operations/openapi.js';
import { operationsFor } from '../operations/operation.js';
import { FLEET_VERSION } from '../version.js';

/** What the kernel's own operations read of the running kernel. */
export interface KernelView extends DashboardView {
  startedAt: number;
  activePlugins(): string[];
  pluginStates(): unknown[];
  operations(): readonly OpenApiEntry[];
  /** Plugins' counters for one team, or fleet-wide when teamName is undefined. */
  healthCounts(teamName: string | undefined): Promise<Record<string, number>>;
  native(): Record<string, string>;
  debugInfo(): Record<string, unknown>;
  teamSockets(teamName: string): number;
  tools: ToolRegistry;
}

const op = operationsFor<KernelView>();

/**
 * Operations the kernel serves whatever plugins run: health, debug, the OpenAPI document, the
 * MCP tools over HTTP (the surface `fleet mcp` forwards to), and the dashboard's reads.
 */
export const kernelOperations = [
  op({
    name: 'health',
    summary:
      'Liveness and version; with an agent token also uptime, plugins, native modules and its team’s counts ' +
      '(fleet-wide counts with the admin key)',
    access: 'public',
    input: v.object({}),
    http: { method: 'GET', path: '/health' },
    run: async ({ api, caller, adminKey }) => {
      const status = { status: 'ok', version: FLEET_VERSION };
      // Anyone may ask whether the fleet is up; what it holds is for its agents (their team's) and its operator.
      if (!caller && !adminKey) return status;
      return {
        ...status,
        uptime: Math.round((Date.now() - api.startedAt) / 1000),
        plugins: api.activePlugins(),
        native: api.native(),
        ...(caller ? { team: caller.teamName } : {}),
        counts: await api.healthCounts(caller?.teamName),
      };
    },
  }),
  op({
    name: 'debug',
    summary: 'Process, plugins, events and sockets (the admin key); a team lead gets its team’s view',
    access: 'admin-or-lead',
    input: v.object({}),
    http: { method: 'GET', path: '/debug' },
    run: async ({ api, caller }) => {
      const common = {
        version: FLEET_VERSION,
        uptime: Math.round((Date.now() - api.startedAt) / 1000),
        plugins: api.pluginStates(),
        tools: api.tools.names().length,
      };
      // A lead sees its own team; the process and the fleet-wide numbers are the operator's.
      if (caller) {
        return {
          ...common,
          team: caller.teamName,
          websockets: api.teamSockets(caller.teamName),
          counts: await api.healthCounts(caller.teamName),
        };
      }
      return {
        ...common,
        node: process.version,
        pid: process.pid,
        memory: process.memoryUsage(),
        ...api.debugInfo(),
        counts: await api.healthCounts(undefined),
      };
    },
  }),
  op({
    name: 'openapi',
    summary: 'This API, generated from the live operations',
    access: 'public',
    input: v.object({}),
    http: { method: 'GET', path: '/openapi.json' },
    run: ({ api }) => buildOpenApi(api.operations(), { title: 'Claude Fleet', version: FLEET_VERSION }),
  }),
  op({
    name: 'listTools',
    summary: 'The MCP tools of the running plugins, with JSON Schemas',
    access: 'agent',
    input: v.object({}),
    http: { method: 'GET', path: '/mcp/tools' },
    run: ({ api }) => ({ tools: api.tools.list() }),
  }),
  op({
    name: 'callTool',
    summary: 'Call an MCP tool as the caller; failures come back as an isError result that starts with its code',
    access: 'agent',
    input: v.object({
      name: text({ min: 1, max: 128 }),
      arguments: v.optional(v.record(v.string(), v.unknown(), 'must be an object')),
    }),
    http: { method: 'POST', path: '/mcp/call' },
    run: ({ input, caller, api }) => api.tools.call(input.name, input.arguments ?? {}, caller),
  }),
  // The web dashboard's reads (its files and sign-in are served by core/dashboard/routes.ts).
  ...dashboardOperations,
];

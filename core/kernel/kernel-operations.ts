import * as v from 'valibot';
import { text } from '../fields.js';
import type { ToolRegistry } from '../mcp/registry.js';
import { buildOpenApi, type OpenApiEntry } from '../operations/openapi.js';
import { operationsFor } from '../operations/operation.js';
import { FLEET_VERSION } from '../version.js';

/** What the kernel's own operations read of the running kernel. */
export interface KernelView {
  startedAt: number;
  activePlugins(): string[];
  pluginStates(): unknown[];
  operations(): readonly OpenApiEntry[];
  healthCounts(): Promise<Record<string, number>>;
  native(): Record<string, string>;
  debugInfo(): Record<string, unknown>;
  tools: ToolRegistry;
}

const op = operationsFor<KernelView>();

/**
 * Operations the kernel serves whatever plugins run: health, debug, the OpenAPI document, and the
 * MCP tools over HTTP (the surface `fleet mcp` forwards to).
 */
export const kernelOperations = [
  op({
    name: 'health',
    summary: 'Liveness, version, uptime, counts and active native modules',
    access: 'public',
    input: v.object({}),
    http: { method: 'GET', path: '/health' },
    run: async ({ api }) => ({
      status: 'ok',
      version: FLEET_VERSION,
      uptime: Math.round((Date.now() - api.startedAt) / 1000),
      plugins: api.activePlugins(),
      native: api.native(),
      counts: await api.healthCounts(),
    }),
  }),
  op({
    name: 'debug',
    summary: 'Process, plugins, events and sockets (team leads only)',
    access: 'lead',
    input: v.object({}),
    http: { method: 'GET', path: '/debug' },
    run: ({ api }) => ({
      version: FLEET_VERSION,
      node: process.version,
      pid: process.pid,
      uptime: Math.round((Date.now() - api.startedAt) / 1000),
      memory: process.memoryUsage(),
      plugins: api.pluginStates(),
      tools: api.tools.names().length,
      ...api.debugInfo(),
    }),
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
];

import * as v from 'valibot';
import { buildOpenApi } from '../http/openapi.js';
import { PluginRouter } from '../http/plugin-router.js';
import type { RouteRecord } from '../http/route-types.js';
import type { ToolRegistry } from '../mcp/registry.js';
import { FLEET_VERSION } from '../version.js';

export interface KernelView {
  startedAt: number;
  activePlugins(): string[];
  pluginStates(): unknown[];
  routeRecords(): RouteRecord[];
  healthCounts(): Promise<Record<string, number>>;
  native(): Record<string, string>;
  debugInfo(): Record<string, unknown>;
  tools: ToolRegistry;
}

/**
 * Routes the kernel owns whatever plugins run: health, debug, the OpenAPI document, and the MCP
 * tools over HTTP (the surface `fleet mcp` forwards to).
 */
export function kernelRouter(kernel: KernelView): PluginRouter {
  const router = new PluginRouter('kernel');

  router.get('/health', { summary: 'Liveness, version, uptime, counts and active native modules', auth: 'public' }, async () => ({
    status: 'ok',
    version: FLEET_VERSION,
    uptime: Math.round((Date.now() - kernel.startedAt) / 1000),
    plugins: kernel.activePlugins(),
    native: kernel.native(),
    counts: await kernel.healthCounts(),
  }));

  router.get('/debug', { summary: 'Process, plugins, events and sockets (team leads only)', auth: 'lead' }, async () => ({
    version: FLEET_VERSION,
    node: process.version,
    pid: process.pid,
    uptime: Math.round((Date.now() - kernel.startedAt) / 1000),
    memory: process.memoryUsage(),
    plugins: kernel.pluginStates(),
    tools: kernel.tools.names().length,
    ...kernel.debugInfo(),
  }));

  router.get('/openapi.json', { summary: 'This API, generated from the live route schemas', auth: 'public' }, () =>
    buildOpenApi(kernel.routeRecords(), { title: 'Claude Fleet', version: FLEET_VERSION }),
  );

  router.get('/mcp/tools', { summary: 'The MCP tools of the running plugins, with JSON Schemas' }, () => ({ tools: kernel.tools.list() }));

  router.post(
    '/mcp/call',
    {
      summary: 'Call an MCP tool as the caller; failures come back as an isError result',
      body: v.object({
        name: v.pipe(v.string('must be a string'), v.minLength(1, 'is required')),
        arguments: v.optional(v.record(v.string(), v.unknown(), 'must be an object')),
      }),
    },
    ({ body, identity }) => kernel.tools.call(body.name, body.arguments ?? {}, identity),
  );

  return router;
}

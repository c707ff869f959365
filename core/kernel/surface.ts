import { isAbsolute } from 'node:path';
import { FleetError } from '../errors.js';
import { TOOL_NAME } from '../mcp/registry.js';
import { pathParams, ToolArguments } from '../operations/input.js';
import type { Operation } from '../operations/operation.js';
import type { AnyPlugin } from '../plugin.js';

/** The prefix every error code of a plugin starts with: `tasks` → `TASKS_`. */
export function errorPrefix(plugin: string): string {
  return `${plugin.toUpperCase().replace(/-/g, '_')}_`;
}

const invalid = (plugin: string, message: string) =>
  new FleetError('FLEET_ERR_PLUGIN_INVALID', `plugin ${plugin}: ${message}`, { plugin });

/**
 * Check one plugin's declarations on their own, before anything of it runs: operation names,
 * paths whose params are inputs, tool bindings that name real inputs, error codes under the
 * plugin's prefix.
 */
export function checkPluginDeclarations(plugin: AnyPlugin): void {
  const names = new Set<string>();
  for (const operation of (plugin.operations ?? []) as readonly Operation[]) {
    if (names.has(operation.name)) throw invalid(plugin.name, `two operations are named ${operation.name}`);
    names.add(operation.name);
    if (operation.http) {
      for (const param of pathParams(operation.http.path)) {
        if (!(param in operation.input.entries))
          throw invalid(plugin.name, `operation ${operation.name}: path param :${param} is not a key of its input`);
      }
      // A tool has no request bytes to give a raw handler.
      if (operation.http.raw && operation.tools?.length)
        throw invalid(plugin.name, `operation ${operation.name} is served raw and cannot have tools`);
    }
    for (const binding of operation.tools ?? []) {
      if (!TOOL_NAME.test(binding.name))
        throw invalid(plugin.name, `tool name ${JSON.stringify(binding.name)} must match ${TOOL_NAME}`);
      try {
        new ToolArguments(operation, binding);
      } catch (error) {
        throw invalid(plugin.name, (error as Error).message);
      }
    }
  }
  const panel = plugin.panel;
  if (panel !== undefined) {
    if (typeof panel.entry !== 'string' || !isAbsolute(panel.entry) || !panel.entry.endsWith('.js'))
      throw invalid(plugin.name, 'panel.entry must be the absolute path of a .js module (fileURLToPath(new URL(...)))');
    if (typeof panel.title !== 'string' || panel.title.trim() === '' || panel.title.length > 60)
      throw invalid(plugin.name, 'panel.title must be 1–60 characters');
    if (panel.order !== undefined && !Number.isFinite(panel.order))
      throw invalid(plugin.name, 'panel.order must be a number');
  }
  const prefix = errorPrefix(plugin.name);
  for (const entry of plugin.errors?.entries ?? []) {
    if (!entry.code.startsWith(prefix))
      throw invalid(plugin.name, `error code ${entry.code} must start with ${prefix}`);
  }
}

/** Operations the kernel itself serves, checked for clashes like a plugin's. */
export interface KernelSurface {
  operations: readonly Operation[];
}

/**
 * Check that the plugins about to run, with the kernel, claim each route, tool and event type
 * once, and that no two plugins of the catalog declare one table: found before any plugin starts.
 */
export function checkSurfaceClashes(
  kernel: KernelSurface,
  plugins: readonly AnyPlugin[],
  catalog: Iterable<AnyPlugin>,
): void {
  const routes = new Map<string, string>();
  const tools = new Map<string, string>();
  const events = new Map<string, string>();
  const claim = (owner: string, operations: readonly Operation[]) => {
    for (const operation of operations) {
      if (operation.http) {
        const key = `${operation.http.method} ${operation.http.path}`;
        const other = routes.get(key);
        if (other !== undefined) {
          throw new FleetError('FLEET_ERR_DUPLICATE_ROUTE', `${key} of plugin ${owner} is already served by ${other}`, {
            plugins: [other, owner],
          });
        }
        routes.set(key, owner);
      }
      for (const binding of operation.tools ?? []) {
        const other = tools.get(binding.name);
        if (other !== undefined) {
          throw new FleetError(
            'FLEET_ERR_DUPLICATE_TOOL',
            `tool ${binding.name} of plugin ${owner} is already registered by plugin ${other}`,
            {
              tool: binding.name,
              plugins: [other, owner],
            },
          );
        }
        tools.set(binding.name, owner);
      }
    }
  };
  claim('kernel', kernel.operations);
  for (const plugin of plugins) {
    claim(plugin.name, (plugin.operations ?? []) as readonly Operation[]);
    for (const type of Object.keys(plugin.events ?? {})) {
      const other = events.get(type);
      if (other !== undefined)
        throw new FleetError(
          'FLEET_ERR_DUPLICATE_EVENT',
          `event ${type} of plugin ${plugin.name} is already declared by ${other}`,
          { plugins: [other, plugin.name] },
        );
      events.set(type, plugin.name);
    }
  }
  const tables = new Map<string, string>();
  for (const plugin of catalog) {
    for (const table of plugin.tables?.names ?? []) {
      const other = tables.get(table);
      if (other !== undefined)
        throw new FleetError(
          'FLEET_ERR_DUPLICATE_TABLE',
          `table ${table} of plugin ${plugin.name} is already declared by ${other}`,
          { plugins: [other, plugin.name] },
        );
      tables.set(table, plugin.name);
    }
  }
}

/** Which plugin of the catalog declares each table. */
export function tableOwners(catalog: Iterable<AnyPlugin>): Map<string, string> {
  const owners = new Map<string, string>();
  for (const plugin of catalog) for (const table of plugin.tables?.names ?? []) owners.set(table, plugin.name);
  return owners;
}

import { toJsonSchema } from '@valibot/to-json-schema';
import { type Access, checkAccess, describeAccess } from '../access.js';
import type { Identity } from '../auth/identity.js';
import { FleetError } from '../errors.js';
import { fleetErrors, isApiError } from '../http/api-error.js';
import type { Logger } from '../log.js';
import { ToolArguments, validateInput } from '../operations/input.js';
import { isReply, type ToolBinding } from '../operations/operation.js';
import type { ServedOperation } from '../operations/serve-http.js';
import type { ToolDescriptor, ToolResult } from './types.js';

export const TOOL_NAME = /^[A-Za-z0-9._-]{1,128}$/;

interface Entry {
  served: ServedOperation;
  binding: ToolBinding;
  args: ToolArguments;
  access: Access;
  descriptor: ToolDescriptor;
}

const text = (value: string, isError = false): ToolResult =>
  isError ? { content: [{ type: 'text', text: value }], isError } : { content: [{ type: 'text', text: value }] };

/** The JSON Schema of a tool's arguments, derived from its operation's input schema. */
export function toolInputSchema(args: ToolArguments): Record<string, unknown> {
  const schema = toJsonSchema(args.schema(), { errorMode: 'ignore' }) as Record<string, unknown>;
  delete schema.$schema;
  return schema;
}

/**
 * Every tool of every running plugin, each serving an operation. Tools leave with their plugin, so
 * `tools/list` always reflects the live config. Calls are checked here, on the server, never by
 * the bridge: access rule, then arguments (renamed to the operation's input), then the handler.
 */
export class ToolRegistry {
  readonly #tools = new Map<string, Entry>();
  readonly #log: Logger;

  constructor(log: Logger) {
    this.#log = log;
  }

  register(served: ServedOperation): void {
    for (const binding of served.operation.tools ?? []) {
      const existing = this.#tools.get(binding.name);
      if (existing) {
        throw new FleetError(
          'FLEET_ERR_DUPLICATE_TOOL',
          `tool ${binding.name} of plugin ${served.plugin} is already registered by plugin ${existing.served.plugin}`,
          {
            tool: binding.name,
            plugins: [existing.served.plugin, served.plugin],
          },
        );
      }
      const args = new ToolArguments(served.operation, binding);
      const access = binding.access ?? served.operation.access;
      const who = access === 'agent' || access === 'public' ? '' : ` (${describeAccess(access)} only)`;
      const description = (binding.description ?? served.operation.summary) + who;
      this.#tools.set(binding.name, {
        served,
        binding,
        args,
        access,
        descriptor: { name: binding.name, description, inputSchema: toolInputSchema(args) },
      });
    }
  }

  unregisterPlugin(plugin: string): void {
    for (const [name, entry] of this.#tools) if (entry.served.plugin === plugin) this.#tools.delete(name);
  }

  list(): ToolDescriptor[] {
    return [...this.#tools.values()].map((entry) => entry.descriptor).sort((a, b) => a.name.localeCompare(b.name));
  }

  has(name: string): boolean {
    return this.#tools.has(name);
  }

  names(plugin?: string): string[] {
    return [...this.#tools.values()].filter((e) => !plugin || e.served.plugin === plugin).map((e) => e.binding.name);
  }

  /** Run a tool for a caller. Every failure becomes an `isError` result that starts with its code; nothing throws. */
  async call(name: string, args: unknown, caller: Identity): Promise<ToolResult> {
    const entry = this.#tools.get(name);
    if (!entry) return text(fleetErrors.FLEET_TOOL_NOT_FOUND({ name }).toToolText(), true);
    try {
      checkAccess(entry.access, caller);
      const input = validateInput(entry.served.operation.input, entry.args.toInput(args ?? {}), 'arguments', (key) =>
        entry.args.argOf(key),
      );
      const result = await entry.served.run(input, caller);
      const value = isReply(result) ? result.body : result;
      return text(typeof value === 'string' ? value : JSON.stringify(value ?? { ok: true }, null, 2));
    } catch (error) {
      if (isApiError(error)) return text(error.toToolText(), true);
      this.#log.error('tool failed', { tool: name, plugin: entry.served.plugin, error });
      return text(fleetErrors.FLEET_INTERNAL().toToolText(), true);
    }
  }
}

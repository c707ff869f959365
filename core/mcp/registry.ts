import { toJsonSchema } from '@valibot/to-json-schema';
import * as v from 'valibot';
import type { Identity } from '../auth/identity.js';
import { FleetError } from '../errors.js';
import { HttpError } from '../http/http-error.js';
import { firstIssueMessage } from '../http/validate.js';
import type { Logger } from '../log.js';
import type { ToolDescriptor, ToolResult, ToolSpec } from './types.js';

const TOOL_NAME = /^[A-Za-z0-9._-]{1,128}$/;

interface Entry {
  plugin: string;
  spec: ToolSpec;
  descriptor: ToolDescriptor;
}

const text = (value: string, isError = false): ToolResult => (isError ? { content: [{ type: 'text', text: value }], isError } : { content: [{ type: 'text', text: value }] });

/**
 * Every tool of every running plugin. Tools leave with their plugin, so `tools/list` always reflects
 * the live config. Calls are checked here, on the server, never by the bridge.
 */
export class ToolRegistry {
  readonly #tools = new Map<string, Entry>();
  readonly #log: Logger;

  constructor(log: Logger) {
    this.#log = log;
  }

  register(plugin: string, spec: ToolSpec): void {
    if (!TOOL_NAME.test(spec.name)) {
      throw new FleetError('FLEET_ERR_PLUGIN_INVALID', `plugin ${plugin}: tool name ${JSON.stringify(spec.name)} must match ${TOOL_NAME}`);
    }
    const existing = this.#tools.get(spec.name);
    if (existing) {
      throw new FleetError('FLEET_ERR_DUPLICATE_TOOL', `tool ${spec.name} of plugin ${plugin} is already registered by plugin ${existing.plugin}`, {
        tool: spec.name,
        plugins: [existing.plugin, plugin],
      });
    }
    const schema = toJsonSchema(spec.input, { errorMode: 'ignore' }) as Record<string, unknown>;
    delete schema.$schema;
    const access = spec.lead ? ' (team leads only)' : spec.roles ? ` (roles: ${spec.roles.join(', ')})` : '';
    this.#tools.set(spec.name, { plugin, spec, descriptor: { name: spec.name, description: spec.description + access, inputSchema: schema } });
  }

  unregisterPlugin(plugin: string): void {
    for (const [name, entry] of this.#tools) if (entry.plugin === plugin) this.#tools.delete(name);
  }

  list(): ToolDescriptor[] {
    return [...this.#tools.values()].map((entry) => entry.descriptor).sort((a, b) => a.name.localeCompare(b.name));
  }

  has(name: string): boolean {
    return this.#tools.has(name);
  }

  names(plugin?: string): string[] {
    return [...this.#tools.values()].filter((e) => !plugin || e.plugin === plugin).map((e) => e.spec.name);
  }

  /** Run a tool for a caller. Every failure becomes an `isError` result; nothing throws. */
  async call(name: string, args: unknown, caller: Identity): Promise<ToolResult> {
    const entry = this.#tools.get(name);
    if (!entry) return text(`Unknown tool: ${name}`, true);
    const { spec } = entry;
    if (spec.lead && caller.agentType !== 'team-lead') {
      return text(`Permission denied: ${name} is for team leads (you are ${caller.agentType})`, true);
    }
    if (spec.roles && !spec.roles.includes(caller.role)) {
      return text(`Permission denied: ${name} needs role ${spec.roles.join(' or ')} (you are ${caller.role})`, true);
    }
    const parsed = v.safeParse(spec.input, args ?? {});
    if (!parsed.success) return text(`Invalid arguments: ${firstIssueMessage(parsed.issues, 'arguments')}`, true);
    try {
      const value = await spec.handler(parsed.output, caller);
      return text(typeof value === 'string' ? value : JSON.stringify(value ?? { ok: true }, null, 2));
    } catch (error) {
      if (error instanceof HttpError) {
        const details = Object.keys(error.details).length > 0 ? ` ${JSON.stringify(error.details)}` : '';
        return text(`${error.message}${details}`, true);
      }
      this.#log.error('tool failed', { tool: name, plugin: entry.plugin, error });
      return text('Internal error', true);
    }
  }
}

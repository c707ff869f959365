import type * as v from 'valibot';
import type { AgentRole, Identity } from '../auth/identity.js';
import type { AnySchema } from '../http/validate.js';

/** A tool as a plugin declares it: data, not a server object, so any number of servers can serve it. */
export interface ToolSpec<S extends AnySchema = AnySchema> {
  /** The seed's name (`team_status`, `mail_send`, ...): ^[A-Za-z0-9._-]{1,128}$. */
  name: string;
  description: string;
  input: S;
  /** Only team leads may call it. */
  lead?: boolean;
  /** When set, the caller's role must be one of these. */
  roles?: readonly AgentRole[];
  handler: (args: v.InferOutput<S>, caller: Identity) => unknown | Promise<unknown>;
}

/** The MCP CallToolResult shape the HTTP surface returns and `fleet mcp` relays unchanged. */
export interface ToolResult {
  content: { type: 'text'; text: string }[];
  isError?: boolean;
}

export interface ToolDescriptor {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
}

/** Declare a tool with its argument types inferred from the schema. */
export function defineTool<S extends AnySchema>(spec: ToolSpec<S>): ToolSpec<S> {
  return spec;
}

import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { BridgeCredentials } from './bridge-auth.js';
import type { ToolDescriptor, ToolResult } from './types.js';

/**
 * The fleet's tools, served to one agent over stdio. It holds no tool logic: each list and call
 * goes to the fleet over HTTP with the agent's token, and the fleet checks roles and arguments.
 */
export class FleetBridge {
  readonly #credentials: BridgeCredentials;
  #token: string | undefined;

  constructor(credentials: BridgeCredentials) {
    this.#credentials = credentials;
    this.#token = credentials.token;
  }

  async #authorize(refresh = false): Promise<string> {
    if (this.#token && !refresh) return this.#token;
    const register = this.#credentials.register;
    if (!register)
      throw new McpError(
        ErrorCode.InternalError,
        'the fleet refused FLEET_TOKEN (expired or invalid); mint a new one with `fleet token`',
      );
    const response = await this.#fetch('/auth', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${register.adminKey}` },
      body: JSON.stringify({ handle: register.handle, teamName: register.teamName, agentType: register.agentType }),
    });
    const body = (await response.json()) as { token?: string; error?: string };
    if (!response.ok || !body.token)
      throw new McpError(
        ErrorCode.InternalError,
        `registering ${register.handle} with the fleet failed: ${response.status} ${body.error ?? ''}`,
      );
    this.#token = body.token;
    return body.token;
  }

  async #fetch(path: string, init: RequestInit = {}): Promise<Response> {
    try {
      return await fetch(this.#credentials.url + path, { ...init, signal: AbortSignal.timeout(120_000) });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
      throw new McpError(ErrorCode.InternalError, `cannot reach the fleet at ${this.#credentials.url} (${cause})`);
    }
  }

  /** An authorized request; one retry with a fresh registration when the token has expired. */
  async #request(path: string, init: RequestInit = {}): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.#authorize(attempt > 0);
      const response = await this.#fetch(path, {
        ...init,
        headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${token}` },
      });
      if (response.status === 401 && attempt === 0 && this.#credentials.register) continue;
      return response;
    }
  }

  async listTools(): Promise<ToolDescriptor[]> {
    const response = await this.#request('/mcp/tools');
    const body = (await response.json()) as { tools?: ToolDescriptor[]; error?: string };
    if (!response.ok || !body.tools)
      throw new McpError(
        ErrorCode.InternalError,
        `the fleet refused to list tools: ${response.status} ${body.error ?? ''}`,
      );
    return body.tools;
  }

  async callTool(name: string, args: unknown): Promise<ToolResult> {
    const response = await this.#request('/mcp/call', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name, arguments: args ?? {} }),
    });
    const body = (await response.json()) as ToolResult & { error?: string; code?: string };
    // A refusal before the tool ran (token, rate limit): like a tool's own errors, it starts with its code.
    if (!response.ok)
      return {
        content: [
          {
            type: 'text',
            text: `${body.code ?? 'FLEET_HTTP_ERROR'}: ${body.error ?? 'Request failed'} (HTTP ${response.status})`,
          },
        ],
        isError: true,
      };
    return body;
  }

  /** Serve over stdin/stdout until the client goes away. */
  async serve(version: string): Promise<void> {
    const server = new Server({ name: 'claude-fleet', version }, { capabilities: { tools: {} } });
    server.setRequestHandler(ListToolsRequestSchema, async () => ({
      tools: (await this.listTools()).map((tool) => ({
        ...tool,
        inputSchema: { type: 'object', ...tool.inputSchema },
      })),
    }));
    server.setRequestHandler(
      CallToolRequestSchema,
      async (request) => (await this.callTool(request.params.name, request.params.arguments)) as never,
    );
    const transport = new StdioServerTransport();
    const closed = new Promise<void>((resolveClosed) => {
      transport.onclose = () => resolveClosed();
    });
    await server.connect(transport);
    await closed;
  }
}

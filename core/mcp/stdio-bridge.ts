import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { BridgeCredentials } from './bridge-auth.js';
import { BridgeError } from './bridge-error.js';
import type { ToolDescriptor, ToolResult } from './types.js';

/** The fields of the fleet's JSON answers the bridge reads. */
interface FleetAnswer {
  token?: unknown;
  tools?: unknown;
  error?: unknown;
  code?: unknown;
}

/** `401 Token expired` from an answer, for messages. */
const statusText = (status: number, body: FleetAnswer) =>
  `${status}${typeof body.error === 'string' ? ` ${body.error}` : ''}`;

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

  async #authorize(refresh = false, timeoutMs?: number): Promise<string> {
    if (this.#token && !refresh) return this.#token;
    const { url, register } = this.#credentials;
    if (!register)
      throw new BridgeError(
        'token-refused',
        `the fleet at ${url} refused FLEET_TOKEN (expired or invalid); mint a new one with \`fleet token\``,
      );
    const response = await this.#fetch(
      '/auth',
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${register.adminKey}` },
        body: JSON.stringify({ handle: register.handle, teamName: register.teamName, agentType: register.agentType }),
      },
      timeoutMs,
    );
    const body = await this.#json(response, 'POST /auth');
    if (response.ok && typeof body.token === 'string') {
      this.#token = body.token;
      return body.token;
    }
    // The admin key may register anyone, so a 401/403 that is about the credential means it is another fleet's key.
    if (response.status === 401 || body.code === 'FLEET_TOKEN_INVALID')
      throw new BridgeError(
        'key-refused',
        `the fleet at ${url} refused the admin key from ${register.adminKeySource} ` +
          `(${statusText(response.status, body)})`,
        response.status,
      );
    throw new BridgeError(
      'refused',
      `the fleet at ${url} refused to register ${register.handle} ` +
        `(team ${register.teamName}, ${register.agentType}): ${statusText(response.status, body)}`,
      response.status,
    );
  }

  async #fetch(path: string, init: RequestInit = {}, timeoutMs = 120_000): Promise<Response> {
    try {
      return await fetch(this.#credentials.url + path, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
      throw new BridgeError('unreachable', `no fleet answering at ${this.#credentials.url} (${cause})`);
    }
  }

  /** The answer's JSON; anything else means something other than a fleet is listening there. */
  async #json(response: Response, what: string): Promise<FleetAnswer> {
    try {
      const body = (await response.json()) as unknown;
      if (body && typeof body === 'object') return body;
    } catch {
      // not JSON: below
    }
    throw new BridgeError(
      'not-a-fleet',
      `${this.#credentials.url} answered ${what} with ${response.status} and no JSON object: is it a fleet?`,
      response.status,
    );
  }

  /** An authorized request; one retry with a fresh registration when the token has expired. */
  async #request(path: string, init: RequestInit = {}, timeoutMs?: number): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.#authorize(attempt > 0, timeoutMs);
      const response = await this.#fetch(
        path,
        { ...init, headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${token}` } },
        timeoutMs,
      );
      if (response.status === 401 && attempt === 0 && this.#credentials.register) continue;
      return response;
    }
  }

  async listTools(timeoutMs?: number): Promise<ToolDescriptor[]> {
    const response = await this.#request('/mcp/tools', {}, timeoutMs);
    const body = await this.#json(response, 'GET /mcp/tools');
    if (response.ok && Array.isArray(body.tools)) return body.tools as ToolDescriptor[];
    if ((response.status === 401 || response.status === 403) && !this.#credentials.register)
      throw new BridgeError(
        'token-refused',
        `the fleet at ${this.#credentials.url} refused FLEET_TOKEN (${statusText(response.status, body)}); ` +
          'mint a new one with `fleet token`',
        response.status,
      );
    throw new BridgeError(
      'refused',
      `the fleet at ${this.#credentials.url} refused to list tools: ${statusText(response.status, body)}`,
      response.status,
    );
  }

  /**
   * One real round trip before serving (register or present the token, list the tools), so a
   * bridge that cannot work says why and exits, instead of Claude Code showing only
   * CONNECTION_CLOSED or tools that all fail. Returns the number of tools.
   */
  async check(timeoutMs = 10_000): Promise<number> {
    return (await this.listTools(timeoutMs)).length;
  }

  async callTool(name: string, args: unknown): Promise<ToolResult> {
    const response = await this.#request('/mcp/call', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name, arguments: args ?? {} }),
    });
    const body = (await this.#json(response, 'POST /mcp/call')) as ToolResult & { error?: string; code?: string };
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

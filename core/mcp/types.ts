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

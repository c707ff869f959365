/**
 * Agents and teams as the tests use them: registered for real through POST /auth, their HTTP calls
 * and tool calls (POST /mcp/call, the surface `fleet mcp` forwards to), and the seed's ids computed
 * independently of the plugins.
 */
import { createHash } from 'node:crypto';
import type { TestFleet } from './fleet.js';

export interface Agent {
  handle: string;
  uid: string;
  token: string;
  teamName: string;
}

/** The seed's uid: sha256(team:handle)[:24]. */
export const agentUid = (teamName: string, handle: string) =>
  createHash('sha256').update(`${teamName}:${handle}`).digest('hex').slice(0, 24);
/** The seed's DM chat id: sha256 of the two sorted uids joined by ':', first 16 hex. */
export const dmChatId = (a: string, b: string) =>
  createHash('sha256').update([a, b].sort().join(':')).digest('hex').slice(0, 16);
/** The seed's team chat id: sha256('team:<name>'), first 16 hex. */
export const teamChatId = (team: string) => createHash('sha256').update(`team:${team}`).digest('hex').slice(0, 16);

export async function registerAgent(
  fleet: TestFleet,
  handle: string,
  teamName: string,
  agentType: 'worker' | 'team-lead' = 'worker',
): Promise<Agent> {
  const { uid, token } = await fleet.register(handle, teamName, agentType);
  return { handle, uid, token, teamName };
}

/** A team: its lead `lead-<team>` and workers with the given handles. */
export async function registerTeam(
  fleet: TestFleet,
  teamName: string,
  workers: readonly string[],
): Promise<{ lead: Agent; workers: Agent[] }> {
  const lead = await registerAgent(fleet, `lead-${teamName}`, teamName, 'team-lead');
  const list: Agent[] = [];
  for (const handle of workers) list.push(await registerAgent(fleet, handle, teamName));
  return { lead, workers: list };
}

/** An HTTP call as an agent. */
export const as = (fleet: TestFleet, agent: Agent, method: string, path: string, body?: unknown) =>
  fleet.request(method, path, { token: agent.token, body });

export type ToolResult = { content: { type: string; text: string }[]; isError?: boolean };

/** A tool call over HTTP (the surface `fleet mcp` forwards to). */
export async function callTool(
  fleet: TestFleet,
  agent: Agent,
  name: string,
  args: Record<string, unknown> = {},
): Promise<ToolResult & { status: number }> {
  const response = await fleet.request('POST', '/mcp/call', { token: agent.token, body: { name, arguments: args } });
  return { status: response.status, ...(response.body as ToolResult) };
}

export const toolText = (result: ToolResult) => result.content.map((part) => part.text).join('\n');

/** Parse a successful tool result's JSON. */
export function toolJson(result: ToolResult): any {
  if (result.isError) throw new Error(`tool failed: ${toolText(result)}`);
  return JSON.parse(toolText(result));
}

/**
 * Shared by the mail and tasks tests (not a test file itself): a real fleet with the coordination
 * plugins, teams of real registered agents, the seed's chat ids computed independently of the
 * plugin, a `ws` client that queues what it receives, and tool calls over POST /mcp/call.
 */
import { createHash } from 'node:crypto';
import { type Message, WsClient } from '../../test/ws-client.js';
import type { AnyPlugin } from '../../core/plugin.js';
import { startFleet, type TestFleet, type TestLike } from '../../test/harness.js';

export type Plugins = Record<string, boolean | Record<string, unknown>>;

/** A fleet with auth, mail and tasks (or the given plugins), a rate limit the tests never reach. */
export function startCoordination(t: TestLike, options: { plugins?: Plugins; extraPlugins?: AnyPlugin[] } = {}): Promise<TestFleet> {
  return startFleet(t, {
    plugins: options.plugins ?? { auth: true, mail: true, tasks: true },
    extraPlugins: options.extraPlugins,
    config: { server: { rateLimit: { max: 1_000_000 } } },
  });
}

export interface Agent {
  handle: string;
  uid: string;
  token: string;
  teamName: string;
}

/** The seed's uid: sha256(team:handle)[:24]. */
export const agentUid = (teamName: string, handle: string) => createHash('sha256').update(`${teamName}:${handle}`).digest('hex').slice(0, 24);
/** The seed's DM chat id: sha256 of the two sorted uids joined by ':', first 16 hex. */
export const dmChatId = (a: string, b: string) => createHash('sha256').update([a, b].sort().join(':')).digest('hex').slice(0, 16);
/** The seed's team chat id: sha256('team:<name>'), first 16 hex. */
export const teamChatId = (team: string) => createHash('sha256').update(`team:${team}`).digest('hex').slice(0, 16);

export async function registerAgent(fleet: TestFleet, handle: string, teamName: string, agentType: 'worker' | 'team-lead' = 'worker'): Promise<Agent> {
  const { uid, token } = await fleet.register(handle, teamName, agentType);
  return { handle, uid, token, teamName };
}

/** A team: its lead `lead-<team>` and workers with the given handles. */
export async function registerTeam(fleet: TestFleet, teamName: string, workers: readonly string[]): Promise<{ lead: Agent; workers: Agent[] }> {
  const lead = await registerAgent(fleet, `lead-${teamName}`, teamName, 'team-lead');
  const list: Agent[] = [];
  for (const handle of workers) list.push(await registerAgent(fleet, handle, teamName));
  return { lead, workers: list };
}

/** An HTTP call as an agent. */
export const as = (fleet: TestFleet, agent: Agent, method: string, path: string, body?: unknown) => fleet.request(method, path, { token: agent.token, body });

export type ToolResult = { content: { type: string; text: string }[]; isError?: boolean };

/** A tool call over HTTP (the surface `fleet mcp` forwards to). */
export async function callTool(fleet: TestFleet, agent: Agent, name: string, args: Record<string, unknown> = {}): Promise<ToolResult & { status: number }> {
  const response = await fleet.request('POST', '/mcp/call', { token: agent.token, body: { name, arguments: args } });
  return { status: response.status, ...(response.body as ToolResult) };
}

export const toolText = (result: ToolResult) => result.content.map((part) => part.text).join('\n');

/** Parse a successful tool result's JSON. */
export function toolJson(result: ToolResult): any {
  if (result.isError) throw new Error(`tool failed: ${toolText(result)}`);
  return JSON.parse(toolText(result));
}

/** The shared client, with the ways these suites open sockets and join chats. */
export class TestSocket extends WsClient {
  /** A socket authenticated as `agent`. */
  static async as(t: TestLike, fleet: TestFleet, agent: Agent): Promise<TestSocket> {
    const socket = await TestSocket.open(t, fleet);
    const answer = await socket.ask({ type: 'auth', token: agent.token });
    if (answer.type !== 'authenticated') throw new Error(`auth failed: ${JSON.stringify(answer)}`);
    return socket;
  }

  async subscribe(chatId: string): Promise<Message> {
    return this.ask({ type: 'subscribe', chatId });
  }
}

/** Poll `check` until it returns a value other than undefined, or fail at the deadline. */
export async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Wait for the clock to move on, so the next row is strictly younger: createdAt is in ms, and rows
 * created in the same ms list in id order (random for tasks and work items), not creation order.
 */
export async function nextMillisecond(): Promise<void> {
  const now = Date.now();
  while (Date.now() === now) await new Promise((resolve) => setTimeout(resolve, 1));
}

import { definePlugin, type Identity } from '../../core/index.js';
import { authErrors } from './errors.js';
import { agentsMigration } from './migrations/0001-agents.js';
import { tokenVersionsMigration } from './migrations/0002-token-versions.js';
import { authOperations } from './operations.js';
import { AgentService, presenceOf, type TeamAgent } from './service.js';
import { authTables } from './tables.js';

export type { TeamAgent } from './service.js';

/** A part other plugins add to team_status (tasks, unread mail, workers...). */
export type StatusSection = (teamName: string, uid: string) => Promise<unknown>;

/** What dependents get from ctx.use('auth'). */
export interface AuthApi {
  agents: AgentService;
  /** Register (or update) an agent and mint its token with its current token version. */
  issueToken(identity: Identity): Promise<{ agent: TeamAgent; token: string }>;
  /** End every token the agent holds now (its open WebSockets close with `reason`); returns the new version. */
  revoke(uid: string, reason: string): Promise<number | undefined>;
  /** Add a section to the team_status tool; call the function it returns to remove it (in onStop). */
  addStatusSection(name: string, section: StatusSection): () => void;
  /** What team_status answers for a caller. */
  teamStatus(caller: Identity): Promise<Record<string, unknown>>;
}

export const auth = definePlugin({
  name: 'auth',
  description: 'Agent registration (POST /auth), team membership, and the team_status tool.',
  tables: authTables,
  migrations: { '0001_agents': agentsMigration, '0002_token_versions': tokenVersionsMigration },
  errors: authErrors,
  operations: authOperations,
  setup(ctx): AuthApi {
    const agents = new AgentService(ctx.db, (uid, reason) => ctx.tokens.revoked(uid, reason));
    // Only tokens of an agent's current version are accepted, on every request and socket.
    ctx.tokens.check(async (identity, version) => (await agents.tokenVersion(identity.uid)) === version);
    const sections = new Map<string, StatusSection>();
    ctx.health.count('agents', (team) => agents.count(team));
    ctx.http.onResponse((observation) => {
      if (observation.uid)
        agents.touch(observation.uid).catch((error) => ctx.log.warn('could not record last seen', { error }));
    });
    return {
      agents,
      async issueToken(identity) {
        const { agent, tokenVersion } = await agents.upsert(identity);
        return { agent, token: await ctx.tokens.mint(identity, { version: tokenVersion }) };
      },
      revoke: (uid, reason) => agents.revoke(uid, reason),
      addStatusSection(name, section) {
        sections.set(name, section);
        return () => sections.delete(name);
      },
      async teamStatus(caller) {
        const list = await agents.listTeam(caller.teamName);
        const status: Record<string, unknown> = {
          team: caller.teamName,
          you: { handle: caller.handle, agentType: caller.agentType, role: caller.role },
          agents: list.map((agent) => ({
            handle: agent.handle,
            agentType: agent.agentType,
            role: agent.role,
            presence: presenceOf(agent),
            lastSeen: agent.lastSeen,
          })),
        };
        for (const [name, section] of sections) status[name] = await section(caller.teamName, caller.uid);
        return status;
      },
    };
  },
});

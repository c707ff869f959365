import { definePlugin } from '../../core/index.js';
import { agentsMigration } from './migrations/0001-agents.js';
import { registerAuthRoutes } from './routes.js';
import { AgentService } from './service.js';
import { type StatusSection, teamStatusTool } from './tools.js';

export type { TeamAgent } from './service.js';

/** What dependents get from ctx.use('auth'). */
export interface AuthApi {
  agents: AgentService;
  /** Add a section to the team_status tool; removed again when `remove` is called (call it in onStop). */
  addStatusSection(name: string, section: StatusSection): () => void;
}

export const auth = definePlugin({
  name: 'auth',
  description: 'Agent registration (POST /auth), team membership, and the team_status tool.',
  migrations: { '0001_agents': agentsMigration },
  setup(ctx): AuthApi {
    const agents = new AgentService(ctx.db);
    const sections = new Map<string, StatusSection>();
    registerAuthRoutes(ctx.router, agents, (identity) => ctx.tokens.mint(identity));
    ctx.tools.register(teamStatusTool(agents, sections));
    ctx.health.count('agents', () => agents.count());
    ctx.http.onResponse((observation) => {
      if (observation.uid) agents.touch(observation.uid).catch((error) => ctx.log.warn('could not record last seen', { error }));
    });
    return {
      agents,
      addStatusSection(name, section) {
        sections.set(name, section);
        return () => sections.delete(name);
      },
    };
  },
});

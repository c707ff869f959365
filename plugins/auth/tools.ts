import * as v from 'valibot';
import { defineTool } from '../../core/index.js';
import { type AgentService, presenceOf } from './service.js';

/** A part other plugins add to team_status (tasks, unread mail, workers...). */
export type StatusSection = (teamName: string, uid: string) => Promise<unknown>;

export function teamStatusTool(agents: AgentService, sections: Map<string, StatusSection>) {
  return defineTool({
    name: 'team_status',
    description: 'Your team at a glance: its agents, whether each was heard from recently, and what other plugins report.',
    input: v.object({}),
    async handler(_args, caller) {
      const list = await agents.listTeam(caller.teamName);
      const status: Record<string, unknown> = {
        team: caller.teamName,
        you: { handle: caller.handle, agentType: caller.agentType, role: caller.role },
        agents: list.map((agent) => ({ handle: agent.handle, agentType: agent.agentType, role: agent.role, presence: presenceOf(agent), lastSeen: agent.lastSeen })),
      };
      for (const [name, section] of sections) status[name] = await section(caller.teamName, caller.uid);
      return status;
    },
  });
}

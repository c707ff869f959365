import * as v from 'valibot';
import {
  AGENT_ROLES,
  AGENT_TYPES,
  agentUid,
  defaultRole,
  f,
  type Identity,
  insufficientPermissions,
  operationsFor,
  requireLead,
  sameTeam,
} from '../../core/index.js';
import { authErrors } from './errors.js';
import type { AuthApi } from './index.js';
import { presenceOf } from './service.js';

const op = operationsFor<AuthApi>();

/**
 * Who may register whom (DESIGN §4): the admin key (no caller) registers anyone; a team lead's
 * token registers workers of its own team, never a lead or a coordinator.
 */
function authorizeRegistration(caller: Identity | undefined, wanted: Identity): void {
  if (caller === undefined) return;
  requireLead(caller);
  if (wanted.agentType === 'team-lead' || wanted.role === 'coordinator')
    throw insufficientPermissions('admin key', caller.agentType);
  if (wanted.teamName !== caller.teamName) throw authErrors.AUTH_LEAD_OTHER_TEAM({ team: caller.teamName });
}

export const register = op({
  name: 'register',
  summary: 'Register an agent and get its token (credential: the admin key, or a team lead token for its workers)',
  access: 'admin-or-lead',
  input: v.object({
    handle: f.handle,
    teamName: f.handle,
    agentType: v.optional(f.oneOf(AGENT_TYPES), 'worker'),
    role: v.optional(f.oneOf(AGENT_ROLES)),
  }),
  http: { method: 'POST', path: '/auth' },
  async run({ input, caller, api }) {
    const identity: Identity = {
      uid: agentUid(input.teamName, input.handle),
      handle: input.handle,
      teamName: input.teamName,
      agentType: input.agentType,
      role: input.role ?? defaultRole(input.agentType),
    };
    authorizeRegistration(caller, identity);
    const existing = await api.agents.get(identity.uid);
    if (existing && existing.agentType !== identity.agentType && caller !== undefined) {
      throw authErrors.AUTH_TYPE_CONFLICT({ handle: identity.handle, agentType: existing.agentType });
    }
    const { agent, token } = await api.issueToken(identity);
    return {
      uid: agent.uid,
      handle: agent.handle,
      teamName: agent.teamName,
      agentType: agent.agentType,
      role: agent.role,
      token,
    };
  },
});

export const revokeTokens = op({
  name: 'revokeTokens',
  summary: 'End every token an agent of your team holds, at once (HTTP, MCP, open WebSockets); its next one works',
  access: 'lead',
  input: v.object({ handle: f.handle }),
  http: { method: 'POST', path: '/agents/:handle/revoke' },
  tools: [{ name: 'agent_revoke' }],
  async run({ input, caller, api }) {
    const agent = await api.agents.findByHandle(caller.teamName, input.handle);
    if (!agent) throw authErrors.AUTH_AGENT_NOT_FOUND({ handle: input.handle });
    const tokenVersion = await api.revoke(agent.uid, `revoked by ${caller.handle}`);
    return { handle: agent.handle, uid: agent.uid, revoked: true, tokenVersion };
  },
});

export const listTeamAgents = op({
  name: 'listTeamAgents',
  summary: 'List the agents of your team, with presence',
  access: 'agent',
  input: v.object({ teamName: f.handle }),
  http: { method: 'GET', path: '/teams/:teamName/agents' },
  async run({ input, caller, api }) {
    const team = sameTeam(caller, input.teamName, { deny: 403 });
    return (await api.agents.listTeam(team)).map((agent) => ({ ...agent, presence: presenceOf(agent) }));
  },
});

export const getUser = op({
  name: 'getUser',
  summary: 'An agent of your team (404 for any other)',
  access: 'agent',
  input: v.object({ uid: f.uid }),
  http: { method: 'GET', path: '/users/:uid' },
  async run({ input, caller, api }) {
    const agent = await api.agents.get(input.uid);
    if (!agent || agent.teamName !== caller.teamName) throw authErrors.AUTH_USER_NOT_FOUND();
    return agent;
  },
});

export const teamStatus = op({
  name: 'teamStatus',
  summary: 'Your team at a glance: its agents, whether each was heard from recently, and what other plugins report.',
  access: 'agent',
  input: v.object({}),
  tools: [{ name: 'team_status' }],
  run: ({ caller, api }) => api.teamStatus(caller),
});

export const authOperations = [register, revokeTokens, listTeamAgents, getUser, teamStatus];

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
  isLead,
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
  if (isLead(wanted) || wanted.role === 'coordinator') throw insufficientPermissions('admin key', caller.agentType);
  if (wanted.teamName !== caller.teamName) throw authErrors.AUTH_LEAD_OTHER_TEAM({ team: caller.teamName });
}

export const register = op({
  name: 'register',
  summary:
    'Register an agent and get its token (credential: the admin key, or a team lead token for its workers). ' +
    'An existing agent keeps its type and role unless changeType is true.',
  access: 'admin-or-lead',
  input: v.object({
    handle: f.handle,
    teamName: f.handle,
    // No default here: an existing agent registered again without a type keeps its own (a new one is a worker).
    agentType: v.optional(f.oneOf(AGENT_TYPES)),
    role: v.optional(f.oneOf(AGENT_ROLES)),
    changeType: v.optional(f.flag),
  }),
  http: { method: 'POST', path: '/auth' },
  async run({ input, caller, api }) {
    const uid = agentUid(input.teamName, input.handle);
    const existing = await api.agents.get(uid);
    const agentType = input.agentType ?? existing?.agentType ?? 'worker';
    const identity: Identity = {
      uid,
      handle: input.handle,
      teamName: input.teamName,
      agentType,
      // Without a role, an agent whose type stays keeps its role; a new type brings its default role.
      role: input.role ?? (existing?.agentType === agentType ? existing.role : defaultRole(agentType)),
    };
    authorizeRegistration(caller, identity);
    if (existing && existing.agentType !== identity.agentType && caller !== undefined) {
      throw authErrors.AUTH_TYPE_CONFLICT({ handle: identity.handle, agentType: existing.agentType });
    }
    // A new type or role ends the agent's older tokens: a silent demotion (or promotion) is refused.
    if (
      existing &&
      (existing.agentType !== identity.agentType || existing.role !== identity.role) &&
      !input.changeType
    ) {
      throw authErrors.AUTH_TYPE_CHANGE_UNCONFIRMED(
        {
          handle: identity.handle,
          agentType: existing.agentType,
          role: existing.role,
          wantedType: identity.agentType,
          wantedRole: identity.role,
        },
        { agentType: existing.agentType, role: existing.role },
      );
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

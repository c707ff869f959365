import * as v from 'valibot';
import {
  AGENT_ROLES,
  AGENT_TYPES,
  agentUid,
  authStateOf,
  conflict,
  defaultRole,
  forbidden,
  handleSchema,
  HttpError,
  insufficientPermissions,
  type Identity,
} from '../../core/index.js';
import type { PluginRouter } from '../../core/http/plugin-router.js';
import { type AgentService, presenceOf } from './service.js';

export const registerBody = v.object({
  handle: handleSchema,
  teamName: handleSchema,
  agentType: v.optional(v.picklist(AGENT_TYPES, `must be one of ${AGENT_TYPES.join(', ')}`), 'worker'),
  role: v.optional(v.picklist(AGENT_ROLES, `must be one of ${AGENT_ROLES.join(', ')}`)),
});

/**
 * Who may register whom (DESIGN §4): the admin key registers anyone; a team lead's token registers
 * workers of its own team (never a lead, never a coordinator); nothing else may register.
 */
function authorizeRegistration(state: ReturnType<typeof authStateOf>, wanted: Identity): void {
  if (state.kind === 'admin') return;
  if (state.kind === 'none') throw new HttpError(401, 'Authentication required');
  if (state.kind === 'rejected') throw state.error;
  const caller = state.identity;
  if (caller.agentType !== 'team-lead') throw insufficientPermissions('team-lead', caller.agentType);
  if (wanted.agentType === 'team-lead') throw insufficientPermissions('admin key', 'team-lead');
  if (wanted.role === 'coordinator') throw insufficientPermissions('admin key', 'team-lead');
  if (wanted.teamName !== caller.teamName) throw forbidden(`A team lead registers workers of its own team (${caller.teamName}) only`);
}

export function registerAuthRoutes(router: PluginRouter, agents: AgentService, mint: (identity: Identity) => Promise<string>): void {
  router.post(
    '/auth',
    { summary: 'Register an agent and get its token (credential: the admin key, or a team lead token for its workers)', auth: 'public', body: registerBody },
    async ({ body }, ctx) => {
      const identity: Identity = {
        uid: agentUid(body.teamName, body.handle),
        handle: body.handle,
        teamName: body.teamName,
        agentType: body.agentType,
        role: body.role ?? defaultRole(body.agentType),
      };
      const state = authStateOf(ctx);
      authorizeRegistration(state, identity);
      const existing = await agents.get(identity.uid);
      if (existing && existing.agentType !== identity.agentType && state.kind !== 'admin') {
        throw conflict(`Agent ${identity.handle} is already registered as ${existing.agentType}`);
      }
      const agent = await agents.upsert(identity);
      return { uid: agent.uid, handle: agent.handle, teamName: agent.teamName, agentType: agent.agentType, role: agent.role, token: await mint(identity) };
    },
  );

  router.get(
    '/teams/:teamName/agents',
    { summary: 'List the agents of your team', params: v.object({ teamName: handleSchema }) },
    async ({ params, identity }) => {
      if (params.teamName !== identity.teamName) throw forbidden(`Not a member of team ${params.teamName}`);
      const list = await agents.listTeam(params.teamName);
      return list.map((agent) => ({ ...agent, presence: presenceOf(agent) }));
    },
  );
}

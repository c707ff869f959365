import { actAs, type Identity } from '../../core/index.js';
import type { TeamAgent } from '../auth/index.js';
import { mailErrors } from './errors.js';
import type { MailApi } from './index.js';

/** The agent a field names (`from`, `uid`): the caller, or for a lead any agent of its team. */
export async function actingAgent(
  api: MailApi,
  caller: Identity,
  uid: string | undefined,
  field: string,
): Promise<TeamAgent> {
  const target = uid ?? caller.uid;
  actAs(caller, { uid: target }, field);
  const agent = await api.auth().agents.get(target);
  if (!agent || agent.teamName !== caller.teamName) throw mailErrors.MAIL_SENDER_NOT_FOUND();
  return agent;
}

/** An agent of the caller's team by handle: 404 `Agent <handle> not found` otherwise. */
export async function teamAgent(api: MailApi, caller: Identity, handle: string): Promise<TeamAgent> {
  const agent = await api.auth().agents.findByHandle(caller.teamName, handle);
  if (!agent) throw mailErrors.MAIL_AGENT_NOT_FOUND({ handle });
  return agent;
}

/**
 * The agent a mail or handoff is from: the caller, or for a lead an agent of its team that exists
 * (404 `Sender not found` otherwise: a lead does not sign for agents that are not there).
 */
export async function senderHandle(api: MailApi, caller: Identity, handle: string | undefined): Promise<string> {
  const from = handle ?? caller.handle;
  actAs(caller, { handle: from }, 'from');
  if (from !== caller.handle && !(await api.auth().agents.findByHandle(caller.teamName, from)))
    throw mailErrors.MAIL_SENDER_NOT_FOUND({}, { field: 'from' });
  return from;
}

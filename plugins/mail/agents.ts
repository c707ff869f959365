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

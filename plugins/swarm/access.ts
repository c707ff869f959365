import { type Identity, isLead } from '../../core/index.js';
import { swarmCoreErrors as errors } from './errors.js';
import type { SwarmService } from './swarms/swarm-service.js';

/**
 * The seed's verifySwarmAccess, persisted: the swarm must be the caller's team's (404 otherwise);
 * a lead passes; an agent that is not a live worker passes; a live worker passes only into its own
 * swarm (403 naming it, or "not assigned to any swarm").
 */
export async function verifySwarmAccess(swarms: SwarmService, caller: Identity, swarmId: string): Promise<void> {
  await swarms.require(caller.teamName, swarmId, 'swarmId');
  if (isLead(caller)) return;
  const member = await swarms.membership(caller.teamName, caller.handle);
  if (!member) return;
  if (member.swarmId === null) throw errors.SWARM_NOT_MEMBER();
  if (member.swarmId !== swarmId) throw errors.SWARM_ACCESS_DENIED({ own: member.swarmId, id: swarmId });
}

/** The swarm a call names, or the caller's own (a worker spawned into one); 400 when neither. */
export async function swarmFor(swarms: SwarmService, caller: Identity, swarmId: string | undefined): Promise<string> {
  if (swarmId !== undefined) return swarmId;
  const own = await swarms.swarmOf(caller.teamName, caller.handle);
  if (own === undefined) throw errors.SWARM_ID_REQUIRED({}, { field: 'swarmId' });
  return own;
}

/** The swarms a caller's marks and reads may reach: all (undefined) unless it is a live worker. */
export async function reachableSwarms(swarms: SwarmService, caller: Identity): Promise<string[] | undefined> {
  if (isLead(caller)) return undefined;
  const member = await swarms.membership(caller.teamName, caller.handle);
  if (!member) return undefined;
  return member.swarmId === null ? [] : [member.swarmId];
}

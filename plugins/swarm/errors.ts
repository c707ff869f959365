import { defineErrors, mergeErrors } from '../../core/index.js';
import { pheromoneErrors } from './pheromones/index.js';

/** The swarm plugin's own codes (the pheromone codes, SWARM_PHEROMONE_*, are merged in index.ts). */
export const swarmCoreErrors = defineErrors({
  SWARM_NOT_FOUND: [404, "Swarm '{id}' not found"],
  SWARM_FULL: [409, "Swarm '{id}' is full: {live} of {maxAgents} agents"],
  SWARM_NOT_MEMBER: [403, 'Worker not assigned to any swarm'],
  SWARM_ACCESS_DENIED: [403, "Access denied: worker belongs to swarm '{own}', not '{id}'"],
  SWARM_ID_REQUIRED: [400, 'swarmId: is required (you belong to no swarm)'],
  SWARM_AGENT_NOT_FOUND: [404, '{field}: no agent {handle} in your team'],
  SWARM_BELIEF_NOT_FOUND: [404, 'No beliefs of {handle} in swarm {id}'],
  SWARM_ACCOUNT_NOT_FOUND: [404, 'No credit account for {handle} in swarm {id}'],
  SWARM_INSUFFICIENT_BALANCE: [409, 'Insufficient balance'],
  SWARM_SELF_TRANSFER: [400, 'toHandle: cannot transfer to yourself'],
  SWARM_BAD_AMOUNT: [400, 'amount: {message}'],
});

/** Every code of the plugin: the above and the pheromone codes. */
export const swarmErrors = mergeErrors(swarmCoreErrors, pheromoneErrors);

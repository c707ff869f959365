import { defineEvents } from '../../core/index.js';
import type { BlackboardMessage } from './blackboard/blackboard-service.js';
import type { CreditTransaction } from './credits/credit-store.js';
import { pheromoneEvents } from './pheromones/index.js';
import type { SwarmView } from './swarms/swarm-service.js';

declare module '../../core/index.js' {
  interface FleetEventMap {
    swarm_created: { swarm: SwarmView };
    swarm_killed: { swarmId: string; dismissed: string[]; deleted: boolean };
    /** A targeted message's payload is left out: its target (and leads) read it with GET /blackboard. */
    blackboard_message: { swarmId: string; message: BlackboardMessage | Omit<BlackboardMessage, 'payload'> };
    'credits:transfer': { swarmId: string; from: string; to: string; amount: number };
    /** A ledger row other than a transfer: a lead's transaction, a reputation change, a verified outcome. */
    'credits:transaction': { swarmId: string; transaction: CreditTransaction; reputation: number };
  }
}

export const swarmCoreEvents = defineEvents({
  swarm_created: { topic: 'swarms', summary: 'A swarm was created' },
  swarm_killed: {
    topic: 'swarms',
    summary: 'A swarm was killed: its workers dismissed (and it deleted if not graceful)',
  },
  blackboard_message: {
    topic: (data) => `swarm.${data.swarmId}`,
    summary: 'A message was posted on a swarm’s blackboard (a targeted one without its payload)',
  },
  'credits:transfer': { topic: 'credits', summary: 'Credits moved from one agent to another' },
  'credits:transaction': {
    topic: 'credits',
    summary: 'A ledger row: a lead’s adjustment, a reputation change or a verified outcome (with its event)',
  },
});

/** Every event type of the plugin: the above and pheromone:deposit. */
export const swarmEvents = defineEvents({ ...swarmCoreEvents, ...pheromoneEvents });

import { defineErrors } from '../../../core/index.js';

export const pheromoneErrors = defineErrors({
  SWARM_PHEROMONE_NOT_IN_SWARM: [403, "Access denied: worker belongs to swarm '{own}', not '{swarmId}'"],
});

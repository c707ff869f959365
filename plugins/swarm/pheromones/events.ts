import { defineEvents } from '../../../core/index.js';
import type { ResourceType, TrailType } from './tables.js';

export interface TrailSummary {
  id: string;
  swarmId: string;
  resourceType: ResourceType;
  resourceId: string;
  trailType: TrailType;
  depositorHandle: string;
}

declare module '../../../core/index.js' {
  interface FleetEventMap {
    'pheromone:deposit': { trail: TrailSummary };
  }
}

/** The seed's event (its data had id, resourceId and trailType; ours adds who, where and the type of resource). */
export const pheromoneEvents = defineEvents({
  'pheromone:deposit': { topic: 'pheromones', summary: 'A trail was deposited (by a call, or from what a worker did)' },
});

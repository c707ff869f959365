import { defineTables } from '../../../core/index.js';

export const RESOURCE_TYPES = ['file', 'task', 'endpoint', 'module', 'custom'] as const;
export const TRAIL_TYPES = ['touch', 'modify', 'complete', 'error', 'warning', 'success'] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];
export type TrailType = (typeof TRAIL_TYPES)[number];

/** Times are ms since the epoch. */
export interface PheromoneTrailsTable {
  /** A UUID (the seed's trail id). */
  id: string;
  team_name: string;
  /** A swarm of the team, or TEAM_TRAILS: the trail space of the team's workers outside swarms. */
  swarm_id: string;
  resource_type: ResourceType;
  resource_id: string;
  depositor_handle: string;
  trail_type: TrailType;
  /** As deposited (0–10), times the manual decay steps applied since; read-time decay is not stored. */
  intensity: number;
  /** JSON object, or null. */
  metadata: string | null;
  created_at: number;
  /**
   * When the trail's read-time intensity falls below the default minimum (computed at deposit, moved
   * by manual decay): "active" is `expires_at > now`, one indexed comparison, no rewrite.
   */
  expires_at: number;
  /** Set by POST /pheromones/decay when it retired the trail (the seed's decayed_at). */
  decayed_at: number | null;
}

/**
 * The decayed sum of a resource's trails of one type in a trail space, kept up to date by every
 * deposit (one upsert per resource and type): `mass` is the sum of their intensities as of
 * `anchor_at`; now it is mass × (1 − rate)^((now − anchor_at) / period). Hot resources read this
 * (thousands of rows a swarm), not the trails (millions).
 */
export interface PheromoneHeatTable {
  team_name: string;
  swarm_id: string;
  resource_id: string;
  resource_type: ResourceType;
  trail_type: TrailType;
  mass: number;
  anchor_at: number;
  last_at: number;
}

export interface PheromoneTables {
  pheromone_trails: PheromoneTrailsTable;
  pheromone_heat: PheromoneHeatTable;
}

export const pheromoneTables = defineTables<PheromoneTables>({
  pheromone_trails:
    'Pheromone trails of every team: swarm (or the team-wide space), resource, depositor, type, ' +
    'intensity as deposited, when it expires under read-time decay',
  pheromone_heat:
    'The decayed sum of trail intensities per resource and trail type of each trail space (hot resources)',
});

/**
 * Pheromone trails: the service, its operations, table, errors, events and migration, and
 * startAutoTrails (automatic trails and their use). The plugin README's "Pheromone trails" says how.
 */
export { PheromoneService, TEAM_TRAILS } from './pheromone-service.js';
export type { Activity, DepositInput, HotResource, Trail, TrailQuery } from './pheromone-service.js';
export { pheromoneOperations } from './operations.js';
export { pheromoneTables } from './tables.js';
export type { PheromoneTables, PheromoneTrailsTable, ResourceType, TrailType } from './tables.js';
export { pheromoneErrors } from './errors.js';
export { pheromoneEvents } from './events.js';
export { pheromonesMigration } from '../migrations/0004-pheromones.js';
export { startAutoTrails } from './auto-wiring.js';
export type { AutoTrailsApi } from './auto-wiring.js';
export { DEFAULT_DECAY } from './decay.js';
export type { DecaySettings } from './decay.js';

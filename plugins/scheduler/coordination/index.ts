export { coordinationOperations } from './operations-coordination.js';
export type { CoordinationApiPart } from './operations-coordination.js';

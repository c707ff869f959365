import type { TrailType } from './tables.js';

/**
 * Hot resources weigh trails by type: an edit says more about contention than a read, a failure more
 * than a pass (the seed summed every type alike). Recency is in the intensity (read-time decay).
 */
export const TRAIL_WEIGHTS: Readonly<Record<TrailType, number>> = {
  modify: 3,
  error: 2,
  warning: 2,
  touch: 1,
  success: 1,
  complete: 1,
};

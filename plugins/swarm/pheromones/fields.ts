import { f } from '../../../core/index.js';
import { RESOURCE_TYPES, TRAIL_TYPES } from './tables.js';

/** The kernel's decimal and swarm id fields. */
export const { decimal, swarmId } = f;
export const resourceType = f.oneOf(RESOURCE_TYPES);
export const trailType = f.oneOf(TRAIL_TYPES);
export const resourceId = f.text({ min: 1, max: 500 });
/** 0–10 as the seed's input said (and now the table agrees). */
export const intensity = decimal(0, 10);
export const metadata = f.jsonObject({ maxChars: 10_000 });
export const limit = f.int(1, 1000);
export const unitFraction = decimal(0, 1);

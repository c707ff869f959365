import * as v from 'valibot';
import { f } from '../../core/index.js';

/** A task's id as the seed took it (1–100 characters); an unknown one is a 404. */
export const taskId = f.text({ min: 1, max: 100 });

/** Credits: 0–10000, kept in cents. */
export const credits = v.pipe(
  f.decimal(0, 10_000),
  v.transform((value) => Math.round(value * 100) / 100),
);

/** The kernel's swarm id field (the swarm plugin takes the same). */
export const swarmId = f.swarmId;

import { f } from '../../core/index.js';

/** A confidence or reputation: 0–1. */
export const unit = f.decimal(0, 1);
export const limit = (max: number) => f.int(1, max);
/** A free-form JSON object payload of bounded size. */
export const payload = f.jsonObject({ maxChars: 64_000 });
export const reason = f.text({ max: 500 });

/** The kernel's swarm id field (the governance plugin takes the same). */
export const swarmId = f.swarmId;

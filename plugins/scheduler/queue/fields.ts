import * as v from 'valibot';
import { f } from '../../../core/index.js';
import { PRIORITIES } from './job.js';

/** A task or template name, as the seed's schedules and webhooks name them. */
export const taskName = v.pipe(
  v.string('must be a string'),
  v.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'must be 1–100 letters, digits, ., _ or -, starting with one'),
);
export const priority = f.oneOf(PRIORITIES);
export const repository = f.text({ min: 1, max: 200 });
export const payload = f.jsonObject({ maxChars: 20_000 });
export const maxAttempts = f.int(1, 20);
export const jobId = f.serialId;
export const listLimit = f.int(1, 500);

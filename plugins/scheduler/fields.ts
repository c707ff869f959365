import * as v from 'valibot';
import { f } from '../../core/index.js';
import { templateName } from './schedules/action.js';

export const CATCH_UP_HELP = 'must be "skip", "latest_once" or { "all": N } (N 1–1000)';

/** What a schedule does about slots missed while the fleet was down. */
export type CatchUp = 'skip' | 'latest_once' | { all: number };

export const catchUp = v.pipe(
  v.unknown(),
  v.metadata({
    anyOf: [
      { type: 'string', enum: ['skip', 'latest_once'] },
      { type: 'object', properties: { all: { type: 'integer', minimum: 1, maximum: 1000 } }, required: ['all'] },
    ],
  }),
  v.check(
    (value) =>
      value === 'skip' ||
      value === 'latest_once' ||
      (typeof value === 'object' &&
        value !== null &&
        !Array.isArray(value) &&
        Object.keys(value).length === 1 &&
        Number.isInteger((value as { all?: unknown }).all) &&
        (value as { all: number }).all >= 1 &&
        (value as { all: number }).all <= 1000),
    CATCH_UP_HELP,
  ),
  v.transform((value) => value as CatchUp),
);

export const OVERLAP_POLICIES = ['skip', 'queue', 'replace'] as const;
export type OverlapPolicy = (typeof OVERLAP_POLICIES)[number];

/** At most `max` runs of a schedule at once; when one more is due: skip it, queue it, or replace the oldest. */
export const overlap = v.pipe(
  v.unknown(),
  v.metadata({
    type: 'object',
    properties: { max: { type: 'integer', minimum: 1, maximum: 100 }, policy: { enum: OVERLAP_POLICIES } },
  }),
  v.check(
    (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
    'must be an object { max?, policy? }',
  ),
  v.object(
    { max: v.optional(f.int(1, 100), 1), policy: v.optional(f.oneOf(OVERLAP_POLICIES), 'skip') },
    'must be an object { max?, policy? }',
  ),
);

export const scheduleName = v.pipe(
  v.string('must be a string'),
  v.regex(/^[A-Za-z0-9][A-Za-z0-9 ._:-]{0,99}$/, 'must be 1–100 letters, digits, spaces, ., _, : or -'),
);
export const cronExpression = f.text({ min: 1, max: 200 });
export const timezone = f.text({ min: 1, max: 100 });
export const tasks = f.list(templateName, { max: 20, of: 'template names', unit: 'templates' });
export const repository = f.text({ min: 1, max: 500 });

/** A schedule's id: `sched_` and 24 hex digits. */
export const scheduleId = v.pipe(
  v.string('must be a string'),
  v.regex(/^sched_[0-9a-f]{24}$/, 'must be a schedule id (sched_ and 24 hex digits)'),
);

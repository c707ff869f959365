import * as v from 'valibot';
import { f } from '../../core/index.js';
import type { CheckpointStatus } from './tables.js';

export const CHECKPOINT_STATUSES: readonly CheckpointStatus[] = ['pending', 'accepted', 'rejected'];

/**
 * The seed's limits (goal and now 1–1000 characters, test 500, 50 items done with 50 files each,
 * 20 blockers, questions or next steps of 500 characters). worked and failed take the limits of
 * blockers; the files created and modified, which the seed's input never took, 100 paths each.
 */
export const CHECKPOINT_LIMITS = {
  goal: 1000,
  now: 1000,
  test: 500,
  item: 500,
  doneThisSession: 50,
  filesPerItem: 50,
  notes: 20,
  files: 100,
} as const;

const L = CHECKPOINT_LIMITS;

/** A checkpoint's id: a positive whole number a serial column can hold. */
export const checkpointId = v.pipe(
  v.unknown(),
  v.transform((value) => (typeof value === 'string' && /^\d{1,16}$/.test(value) ? Number(value) : value)),
  v.number('must be a checkpoint id (a positive whole number)'),
  v.integer('must be a checkpoint id (a positive whole number)'),
  v.minValue(1, 'must be a checkpoint id (a positive whole number)'),
  v.maxValue(f.MAX_SERIAL_ID, 'must be a checkpoint id (a positive whole number)'),
);

export const checkpointStatus = f.oneOf(CHECKPOINT_STATUSES);
export const note = v.optional(f.text({ max: 2000 }));
export const limit = f.int(1, 100);
export const offset = f.int(0, 1_000_000);

const line = f.text({ max: L.item });
const lines = (max: number, unit: string) => v.optional(f.list(line, { max, of: 'strings', unit }));

const doneItem = v.strictObject(
  {
    task: f.text({ min: 1, max: L.item }),
    files: v.optional(f.list(line, { max: L.filesPerItem, of: 'file paths', unit: 'files' })),
  },
  'must be an object { task, files }',
);

/** The structured checkpoint, as create takes it (flat, as the seed's route did). */
export const checkpointEntries = {
  goal: f.text({ min: 1, max: L.goal }),
  now: f.text({ min: 1, max: L.now }),
  test: v.optional(f.text({ max: L.test })),
  doneThisSession: v.optional(
    f.list(doneItem, { max: L.doneThisSession, of: '{ task, files } objects', unit: 'items' }),
  ),
  blockers: lines(L.notes, 'blockers'),
  questions: lines(L.notes, 'questions'),
  worked: lines(L.notes, 'items'),
  failed: lines(L.notes, 'items'),
  next: lines(L.notes, 'steps'),
  filesCreated: v.optional(f.list(line, { max: L.files, of: 'file paths', unit: 'files' })),
  filesModified: v.optional(f.list(line, { max: L.files, of: 'file paths', unit: 'files' })),
};

/** What another plugin passes to `create`: the same fields as the route's body. */
export const checkpointInput = v.strictObject(checkpointEntries);
export type CheckpointInput = v.InferOutput<typeof checkpointInput>;

import t from 'tap';
import { defineErrors, isApiError, mergeErrors } from '../../core/index.js';

const queue = defineErrors({ PART_QUEUE_FULL: [409, 'queue {name} is full'] });
const audit = defineErrors({ PART_AUDIT_RUNNING: [409, 'an audit runs ({id})'], PART_AUDIT_NONE: [404, 'no audit'] });

t.test('mergeErrors makes one table of several parts, each code a working factory', async (t) => {
  const merged = mergeErrors(queue, audit) as ReturnType<typeof mergeErrors> & Record<string, unknown>;
  t.same(
    merged.entries.map((entry) => entry.code),
    ['PART_QUEUE_FULL', 'PART_AUDIT_RUNNING', 'PART_AUDIT_NONE'],
  );
  const factory = merged.PART_AUDIT_RUNNING as (params: Record<string, unknown>) => unknown;
  const error = factory({ id: 'a1' });
  t.ok(isApiError(error));
  t.match(error, { status: 409, code: 'PART_AUDIT_RUNNING', message: 'an audit runs (a1)' });
});

t.test('a code declared by two parts is refused', async (t) => {
  const again = defineErrors({ PART_QUEUE_FULL: [503, 'another meaning'] });
  t.throws(() => mergeErrors(queue, again), /PART_QUEUE_FULL is declared twice/);
});

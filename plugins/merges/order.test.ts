/**
 * Fair order with a fake clock: priority plus age (one point per `agingMinutes` waited), so the oldest
 * never starves however many higher-priority entries keep arriving; ties go to the older entry.
 */
import t from 'tap';
import { effectivePriority, queueOrder, type Waiting } from './order.js';

const MINUTE = 60_000;

t.test('priority first, age raises it, ties go to the oldest', async (t) => {
  const now = 1_000 * MINUTE;
  const entries: Waiting[] = [
    { id: 'new-high', priority: 5, queuedAt: now },
    { id: 'old-low', priority: 0, queuedAt: now - 30 * MINUTE },
    { id: 'same-b', priority: 1, queuedAt: now - MINUTE },
    { id: 'same-a', priority: 1, queuedAt: now - MINUTE },
  ];
  t.equal(effectivePriority(entries[1]!, now, 10), 3);
  t.same(
    queueOrder(entries, now, 10).map((entry) => entry.id),
    ['new-high', 'old-low', 'same-a', 'same-b'],
  );
  // Twenty-one minutes later a new priority-5 entry arrives: the old low one (5.1 by now) goes before it.
  const later = now + 21 * MINUTE;
  const rest = [entries[1]!, { id: 'newer-high', priority: 5, queuedAt: later }];
  t.same(
    queueOrder(rest, later, 10).map((entry) => entry.id),
    ['old-low', 'newer-high'],
    'waiting 51 minutes is worth more than priority 5 to a newcomer',
  );
  t.same(
    queueOrder(
      [
        { id: 'b', priority: 0, queuedAt: now },
        { id: 'a', priority: 0, queuedAt: now },
      ],
      now,
      10,
    ).map((entry) => entry.id),
    ['a', 'b'],
    'same priority and age: the smaller id',
  );
});

t.test('the oldest never starves: a stream of priority-3 entries, one taken per minute', async (t) => {
  let now = 0;
  const waiting: Waiting[] = [{ id: 'starving', priority: 0, queuedAt: now }];
  let taken = -1;
  for (let minute = 0; minute < 200 && taken < 0; minute++) {
    waiting.push({ id: `busy-${minute}`, priority: 3, queuedAt: now });
    const [next] = queueOrder(waiting, now, 10);
    waiting.splice(waiting.indexOf(next!), 1);
    if (next!.id === 'starving') taken = minute;
    now += MINUTE;
  }
  t.ok(taken >= 0, `taken after ${taken} minutes`);
  t.ok(taken <= 31, 'within priority gap × agingMinutes (+1)');
});

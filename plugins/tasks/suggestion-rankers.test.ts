import t from 'tap';
import type { Identity } from '../../core/index.js';
import { testLogger } from '../../test/kit/index.js';
import { SuggestionRankers } from './suggestion-rankers.js';
import type { TeamTask } from './task-service.js';

// The rankers on their own (the swarm plugin's cold-first ranker through a fleet is in
// plugins/swarm/pheromones/hot-edit.test.ts): order kept to the given tasks, failures skipped.

const caller = { handle: 'w1', teamName: 'alpha', uid: 'u', agentType: 'worker', role: 'worker' } as Identity;
const task = (id: string) => ({ id, subject: id }) as TeamTask;
const ids = (tasks: readonly TeamTask[]) => tasks.map((x) => x.id);

t.test('rankers reorder, in the order added; what they add or drop is not taken', async (t) => {
  const warnings: string[] = [];
  const rankers = new SuggestionRankers(testLogger({ level: 'warn', sink: (line) => warnings.push(line) }));
  const list = [task('a'), task('b'), task('c')];
  t.same(ids(await rankers.rank(caller, list)), ['a', 'b', 'c'], 'no ranker: as given');
  const remove = rankers.add({ name: 'reverse', rank: async (_c, tasks) => [...tasks].reverse() });
  t.same(ids(await rankers.rank(caller, list)), ['c', 'b', 'a']);
  const removeOdd = rankers.add({
    name: 'odd',
    rank: async () => [task('zzz'), task('a')],
  });
  t.same(ids(await rankers.rank(caller, list)), ['a', 'c', 'b'], 'unknown dropped, the rest kept after');
  removeOdd();
  rankers.add({
    name: 'broken',
    rank: async () => {
      throw new Error('boom');
    },
  });
  t.same(ids(await rankers.rank(caller, list)), ['c', 'b', 'a'], 'a failing ranker is skipped');
  t.match(warnings.join('\n'), /broken failed/);
  rankers.add({ name: 'slow', rank: (_c, tasks) => new Promise((resolve) => setTimeout(() => resolve(tasks), 2000)) });
  const started = Date.now();
  t.same(ids(await rankers.rank(caller, list)), ['c', 'b', 'a'], 'a slow ranker is skipped');
  t.ok(Date.now() - started < 1500);
  remove();
  remove();
  t.same(ids(await rankers.rank(caller, [task('x')])), ['x']);
});

/**
 * The DAG solver on known graphs: sort order and levels (by priority within a level), cycles found
 * and reported (not crashed), critical path lengths and slack, ready sets; bad graphs are 400s
 * naming the field. Pure functions: the same on either engine.
 */
import t from 'tap';
import { criticalPath, type DagNode, findCycles, MAX_EDGES, readyNodes, topoSort } from './dag.js';

/** A build: fetch → (compile, lint) → test → ship; docs on the side. */
const build: DagNode[] = [
  { id: 'fetch', estimatedDuration: 2 },
  { id: 'compile', estimatedDuration: 5, dependsOn: ['fetch'], priority: 1 },
  { id: 'lint', estimatedDuration: 1, dependsOn: ['fetch'], priority: 5 },
  { id: 'test', estimatedDuration: 4, dependsOn: ['compile', 'lint'] },
  { id: 'ship', estimatedDuration: 1, dependsOn: ['test'] },
  { id: 'docs', estimatedDuration: 3, priority: -1 },
];

t.test('sort: levels by dependency, each by priority (ties keep input order)', async (t) => {
  t.same(topoSort(build), {
    order: ['fetch', 'docs', 'lint', 'compile', 'test', 'ship'],
    levels: [['fetch', 'docs'], ['lint', 'compile'], ['test'], ['ship']],
    isValid: true,
    nodeCount: 6,
    unsorted: [],
  });
  t.same(topoSort([{ id: 'a' }, { id: 'b' }, { id: 'c', priority: 2 }]).order, ['c', 'a', 'b']);
  t.same(topoSort([]), { order: [], levels: [], isValid: true, nodeCount: 0, unsorted: [] });
  const dup = topoSort([{ id: 'a' }, { id: 'b', dependsOn: ['a', 'a'] }]);
  t.same(dup.levels, [['a'], ['b']], 'a dependency named twice counts once');
});

t.test('sort with a cycle: isValid false, the nodes left out named', async (t) => {
  const result = topoSort([
    { id: 'a' },
    { id: 'b', dependsOn: ['a', 'd'] },
    { id: 'c', dependsOn: ['b'] },
    { id: 'd', dependsOn: ['c'] },
    { id: 'e', dependsOn: ['d'] },
  ]);
  t.same(result.order, ['a']);
  t.equal(result.isValid, false);
  t.same(result.unsorted, ['b', 'c', 'd', 'e'], 'e depends on the cycle');
});

t.test('cycles: one per cyclic group, every node on one, self-loops too', async (t) => {
  t.same(findCycles(build), { hasCycles: false, cycleNodes: [], cycles: [] });
  const result = findCycles([
    { id: 'a' },
    { id: 'b', dependsOn: ['a', 'd'] },
    { id: 'c', dependsOn: ['b'] },
    { id: 'd', dependsOn: ['c'] },
    { id: 'e', dependsOn: ['d'] },
    { id: 's', dependsOn: ['s'] },
    { id: 'x', dependsOn: ['y'] },
    { id: 'y', dependsOn: ['x'] },
  ]);
  t.equal(result.hasCycles, true);
  t.same(result.cycleNodes, ['b', 'c', 'd', 's', 'x', 'y']);
  t.same(result.cycles, [['b', 'c', 'd'], ['s'], ['x', 'y']], 'each from a dependency to its dependent');
  // Two cycles sharing a node are one strongly connected group: reported once, as one of its cycles.
  const shared = findCycles([
    { id: 'hub', dependsOn: ['p', 'q'] },
    { id: 'p', dependsOn: ['hub'] },
    { id: 'q', dependsOn: ['hub'] },
  ]);
  t.same(shared.cycleNodes, ['hub', 'p', 'q']);
  t.equal(shared.cycles.length, 1);
  t.equal(shared.cycles[0]![0], 'hub');
});

t.test('cycles and sort of a long chain do not overflow the stack', async (t) => {
  const chain: DagNode[] = Array.from({ length: 2000 }, (_, i) => ({
    id: `n${i}`,
    dependsOn: i === 0 ? ['n1999'] : [`n${i - 1}`],
  }));
  const result = findCycles(chain);
  t.equal(result.cycles.length, 1);
  t.equal(result.cycles[0]!.length, 2000);
  chain[0] = { id: 'n0' };
  t.equal(topoSort(chain).levels.length, 2000);
  t.equal(criticalPath(chain).totalDuration, 2000);
});

t.test('critical path: the longest chain, its length, slack per node', async (t) => {
  const result = criticalPath(build);
  t.same(result.path, ['fetch', 'compile', 'test', 'ship']);
  t.equal(result.totalDuration, 12);
  t.same(result.criticalNodes, ['fetch', 'compile', 'test', 'ship']);
  t.equal(result.isValid, true);
  const slack = Object.fromEntries(result.slack.map((s) => [s.id, s]));
  t.same(slack.lint, { id: 'lint', slack: 4, earliestStart: 2, latestStart: 6 });
  t.same(slack.docs, { id: 'docs', slack: 9, earliestStart: 0, latestStart: 9 });
  t.same(slack.test, { id: 'test', slack: 0, earliestStart: 7, latestStart: 7 });
  // Two chains of equal length: the path is one of them, criticalNodes both.
  const tie = criticalPath([
    { id: 'a', estimatedDuration: 2 },
    { id: 'b', estimatedDuration: 2 },
    { id: 'c', estimatedDuration: 1, dependsOn: ['a'] },
    { id: 'd', estimatedDuration: 1, dependsOn: ['b'] },
  ]);
  t.same(tie.path, ['a', 'c']);
  t.same(tie.criticalNodes, ['a', 'b', 'c', 'd']);
  t.equal(tie.totalDuration, 3);
  const decimals = criticalPath([
    { id: 'a', estimatedDuration: 0.1 },
    { id: 'b', estimatedDuration: 0.2, dependsOn: ['a'] },
  ]);
  t.equal(decimals.totalDuration, 0.3, 'decimal durations do not drift');
  t.same(decimals.path, ['a', 'b']);
  t.same(criticalPath([{ id: 'x', dependsOn: ['x'] }]), {
    path: [],
    totalDuration: 0,
    slack: [],
    criticalNodes: [],
    isValid: false,
  });
  t.equal(criticalPath([{ id: 'z', estimatedDuration: 0 }]).totalDuration, 0);
});

t.test('ready: not completed, every dependency completed, by priority', async (t) => {
  t.same(readyNodes(build), { ready: ['fetch', 'docs'] });
  t.same(readyNodes(build, ['fetch']), { ready: ['lint', 'compile', 'docs'] });
  t.same(readyNodes(build, ['fetch', 'lint']), { ready: ['compile', 'docs'] });
  t.same(readyNodes(build, ['fetch', 'lint', 'compile', 'docs']), { ready: ['test'] });
  t.same(
    readyNodes(
      build,
      build.map((n) => n.id),
    ),
    { ready: [] },
  );
  t.same(
    readyNodes([
      { id: 'a', dependsOn: ['b'] },
      { id: 'b', dependsOn: ['a'] },
    ]),
    { ready: [] },
    'a cycle: none',
  );
});

t.test('bad graphs: 400 naming the field', async (t) => {
  t.throws(() => topoSort([{ id: 'a' }, { id: 'a' }]), {
    code: 'KNOWLEDGE_DAG_DUPLICATE_NODE',
    status: 400,
    message: 'nodes.1.id: node id a is given twice',
    details: { field: 'nodes.1.id' },
  });
  t.throws(() => findCycles([{ id: 'a', dependsOn: ['ghost'] }]), {
    code: 'KNOWLEDGE_DAG_UNKNOWN_NODE',
    message: 'nodes.0.dependsOn.0: no node has id ghost',
  });
  t.throws(() => readyNodes([{ id: 'a' }], ['b']), {
    code: 'KNOWLEDGE_DAG_UNKNOWN_NODE',
    details: { field: 'completed.0' },
  });
  const wide: DagNode[] = Array.from({ length: 200 }, (_, i) => ({ id: `h${i}` }));
  for (let i = 0; i < 200; i++) wide.push({ id: `w${i}`, dependsOn: wide.slice(0, 101).map((n) => n.id) });
  t.ok(wide.length * 101 > MAX_EDGES);
  t.throws(() => criticalPath(wide), { code: 'KNOWLEDGE_DAG_TOO_MANY_EDGES', details: { field: 'nodes' } });
});

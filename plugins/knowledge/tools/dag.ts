import { toolsErrors } from './errors.js';

/**
 * The seed's DAG solver, in plain TypeScript over the posted graph (nothing is stored). An edge runs
 * from a dependency to its dependent. Differences from the seed, on purpose:
 * - a duplicate node id or a dependsOn naming no node is a 400 naming the field (the seed silently
 *   answered isValid: false, as if there were a cycle);
 * - cycles come from strongly connected components: each cyclic component is reported once, as one
 *   concrete cycle, and every node on a cycle is in cycleNodes (the seed's DFS reported stack slices);
 * - the critical path is one chain (the seed listed every zero-slack node, several chains at once);
 *   criticalNodes lists them all.
 */
export interface DagNode {
  id: string;
  priority?: number;
  estimatedDuration?: number;
  dependsOn?: readonly string[];
}

interface Graph {
  ids: string[];
  index: Map<string, number>;
  priority: number[];
  duration: number[];
  /** deps[i]: indexes of the nodes i depends on (deduplicated). */
  deps: number[][];
  /** dependents[i]: indexes of the nodes that depend on i. */
  dependents: number[][];
}

/** At most this many dependsOn entries over the whole graph (each node's list is bounded by the schema too). */
export const MAX_EDGES = 20_000;

function graphOf(nodes: readonly DagNode[]): Graph {
  const index = new Map<string, number>();
  nodes.forEach((node, i) => {
    if (index.has(node.id))
      throw toolsErrors.KNOWLEDGE_DAG_DUPLICATE_NODE(
        { field: `nodes.${i}.id`, id: node.id },
        { field: `nodes.${i}.id` },
      );
    index.set(node.id, i);
  });
  let edges = 0;
  const deps = nodes.map((node, i) => {
    const list = node.dependsOn ?? [];
    edges += list.length;
    if (edges > MAX_EDGES) throw toolsErrors.KNOWLEDGE_DAG_TOO_MANY_EDGES({ max: MAX_EDGES }, { field: 'nodes' });
    const found = new Set<number>();
    list.forEach((dep, j) => {
      const at = index.get(dep);
      if (at === undefined)
        throw toolsErrors.KNOWLEDGE_DAG_UNKNOWN_NODE(
          { field: `nodes.${i}.dependsOn.${j}`, id: dep },
          { field: `nodes.${i}.dependsOn.${j}` },
        );
      found.add(at);
    });
    return [...found];
  });
  const dependents: number[][] = nodes.map(() => []);
  deps.forEach((list, i) => list.forEach((dep) => dependents[dep]!.push(i)));
  return {
    ids: nodes.map((node) => node.id),
    index,
    priority: nodes.map((node) => node.priority ?? 0),
    duration: nodes.map((node) => node.estimatedDuration ?? 1),
    deps,
    dependents,
  };
}

/** Indexes by priority, highest first; ties keep the input order. */
function byPriority(graph: Graph, list: number[]): number[] {
  return [...list].sort((a, b) => graph.priority[b]! - graph.priority[a]! || a - b);
}

function levelsOf(graph: Graph): number[][] {
  const waiting = graph.deps.map((list) => list.length);
  const levels: number[][] = [];
  let level = byPriority(
    graph,
    graph.ids.map((_, i) => i).filter((i) => waiting[i] === 0),
  );
  while (level.length > 0) {
    levels.push(level);
    const next: number[] = [];
    for (const i of level) for (const d of graph.dependents[i]!) if (--waiting[d]! === 0) next.push(d);
    level = byPriority(graph, next);
  }
  return levels;
}

export interface SortResult {
  order: string[];
  levels: string[][];
  isValid: boolean;
  nodeCount: number;
  /** Nodes that never became ready: on a cycle, or depending on one (empty when isValid). */
  unsorted: string[];
}

/** Kahn's algorithm level by level; each level by priority, highest first. */
export function topoSort(nodes: readonly DagNode[]): SortResult {
  const graph = graphOf(nodes);
  const levels = levelsOf(graph);
  const sorted = new Set(levels.flat());
  return {
    order: levels.flat().map((i) => graph.ids[i]!),
    levels: levels.map((level) => level.map((i) => graph.ids[i]!)),
    isValid: sorted.size === graph.ids.length,
    nodeCount: graph.ids.length,
    unsorted: graph.ids.filter((_, i) => !sorted.has(i)),
  };
}

/** Strongly connected components (Tarjan, iterative: a long chain must not overflow the stack). */
function components(graph: Graph): number[][] {
  const n = graph.ids.length;
  const order = new Array<number>(n).fill(-1);
  const low = new Array<number>(n).fill(0);
  const onStack = new Array<boolean>(n).fill(false);
  const stack: number[] = [];
  const result: number[][] = [];
  let counter = 0;
  for (let root = 0; root < n; root++) {
    if (order[root] !== -1) continue;
    const frames: { node: number; next: number }[] = [{ node: root, next: 0 }];
    order[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = true;
    while (frames.length > 0) {
      const frame = frames[frames.length - 1]!;
      const out = graph.dependents[frame.node]!;
      if (frame.next < out.length) {
        const to = out[frame.next++]!;
        if (order[to] === -1) {
          order[to] = low[to] = counter++;
          stack.push(to);
          onStack[to] = true;
          frames.push({ node: to, next: 0 });
        } else if (onStack[to]) low[frame.node] = Math.min(low[frame.node]!, order[to]!);
        continue;
      }
      frames.pop();
      const parent = frames[frames.length - 1];
      if (parent) low[parent.node] = Math.min(low[parent.node]!, low[frame.node]!);
      if (low[frame.node] === order[frame.node]) {
        const component: number[] = [];
        let member: number;
        do {
          member = stack.pop()!;
          onStack[member] = false;
          component.push(member);
        } while (member !== frame.node);
        result.push(component.sort((a, b) => a - b));
      }
    }
  }
  return result;
}

/** One cycle through `start` inside its component: a breadth-first walk back to start. */
function cycleThrough(graph: Graph, start: number, members: Set<number>): number[] {
  const previous = new Map<number, number>();
  const queue = [start];
  for (let at = 0; at < queue.length; at++) {
    const node = queue[at]!;
    for (const to of graph.dependents[node]!) {
      if (!members.has(to)) continue;
      if (to === start) {
        const cycle = [node];
        while (cycle[0] !== start) cycle.unshift(previous.get(cycle[0]!)!);
        return cycle;
      }
      if (previous.has(to)) continue;
      previous.set(to, node);
      queue.push(to);
    }
  }
  return [start];
}

export interface CyclesResult {
  hasCycles: boolean;
  /** Every node on some cycle, in input order. */
  cycleNodes: string[];
  /** One cycle per cyclic component, each listed from a dependency to its dependent. */
  cycles: string[][];
}

export function findCycles(nodes: readonly DagNode[]): CyclesResult {
  const graph = graphOf(nodes);
  const cyclic = components(graph).filter(
    (component) => component.length > 1 || graph.deps[component[0]!]!.includes(component[0]!),
  );
  cyclic.sort((a, b) => a[0]! - b[0]!);
  const cycles = cyclic.map((component) => cycleThrough(graph, component[0]!, new Set(component)));
  const on = new Set(cyclic.flat());
  return {
    hasCycles: cycles.length > 0,
    cycleNodes: graph.ids.filter((_, i) => on.has(i)),
    cycles: cycles.map((cycle) => cycle.map((i) => graph.ids[i]!)),
  };
}

export interface CriticalPathResult {
  /** One longest chain, from its first node to its last. */
  path: string[];
  totalDuration: number;
  slack: { id: string; slack: number; earliestStart: number; latestStart: number }[];
  /** Every node with no slack (several chains when they tie), in topological order. */
  criticalNodes: string[];
  isValid: boolean;
}

/** Slack this small is none: durations are decimals and sums of them drift. */
const EPSILON = 1e-9;
const round = (value: number) => Math.round(value * 1e9) / 1e9;

export function criticalPath(nodes: readonly DagNode[]): CriticalPathResult {
  const graph = graphOf(nodes);
  const order = levelsOf(graph).flat();
  if (order.length !== graph.ids.length)
    return { path: [], totalDuration: 0, slack: [], criticalNodes: [], isValid: false };
  const n = graph.ids.length;
  const es = new Array<number>(n).fill(0);
  const ef = new Array<number>(n).fill(0);
  for (const i of order) {
    es[i] = Math.max(0, ...graph.deps[i]!.map((d) => ef[d]!));
    ef[i] = es[i] + graph.duration[i]!;
  }
  const total = Math.max(0, ...ef);
  const ls = new Array<number>(n).fill(0);
  for (const i of [...order].reverse()) {
    const lf = Math.min(total, ...graph.dependents[i]!.map((d) => ls[d]!));
    ls[i] = lf - graph.duration[i]!;
  }
  const tight = (i: number) => Math.abs(ls[i]! - es[i]!) <= EPSILON * Math.max(1, total);
  const path: number[] = [];
  // The chain ends at the first node (in topological order) that finishes last, and walks back
  // through a critical dependency that finishes exactly when it starts.
  let at = order.find((i) => tight(i) && Math.abs(ef[i]! - total) <= EPSILON * Math.max(1, total));
  while (at !== undefined) {
    path.unshift(at);
    const here = at;
    at = graph.deps[here]!.find((d) => tight(d) && Math.abs(ef[d]! - es[here]!) <= EPSILON * Math.max(1, total));
  }
  return {
    path: path.map((i) => graph.ids[i]!),
    totalDuration: round(total),
    slack: order.map((i) => ({
      id: graph.ids[i]!,
      slack: round(ls[i]! - es[i]!),
      earliestStart: round(es[i]!),
      latestStart: round(ls[i]!),
    })),
    criticalNodes: order.filter(tight).map((i) => graph.ids[i]!),
    isValid: true,
  };
}

/** Nodes not completed whose every dependency is completed, by priority (highest first). */
export function readyNodes(nodes: readonly DagNode[], completed: readonly string[] = []): { ready: string[] } {
  const graph = graphOf(nodes);
  const done = new Set<number>();
  completed.forEach((id, j) => {
    const at = graph.index.get(id);
    if (at === undefined)
      throw toolsErrors.KNOWLEDGE_DAG_UNKNOWN_NODE({ field: `completed.${j}`, id }, { field: `completed.${j}` });
    done.add(at);
  });
  const ready = graph.ids.map((_, i) => i).filter((i) => !done.has(i) && graph.deps[i]!.every((d) => done.has(d)));
  return { ready: byPriority(graph, ready).map((i) => graph.ids[i]!) };
}

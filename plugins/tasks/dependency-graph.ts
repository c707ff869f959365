/**
 * The path by which adding edges `task → blockers` would close a cycle, or undefined.
 * `edges` maps each task to the tasks blocking it. A cycle exists when some new blocker can
 * already reach `task` by following blockers.
 */
export function findCycle(
  task: string,
  blockers: readonly string[],
  edges: ReadonlyMap<string, readonly string[]>,
): string[] | undefined {
  for (const start of blockers) {
    if (start === task) return [task, task];
    const seen = new Set<string>();
    const stack: { node: string; path: string[] }[] = [{ node: start, path: [task, start] }];
    while (stack.length > 0) {
      const { node, path } = stack.pop()!;
      for (const next of edges.get(node) ?? []) {
        if (next === task) return [...path, task];
        if (seen.has(next)) continue;
        seen.add(next);
        stack.push({ node: next, path: [...path, next] });
      }
    }
  }
  return undefined;
}

/**
 * Whether a parsed JSON value nests deeper than `limit` arrays or objects. Iterative, so a
 * hostile body nested 100,000 levels deep is measured without recursion (recursive code, JSON
 * included, would overflow the stack on it and answer 500).
 */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const { value: current, depth } = stack.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    if (depth + 1 > limit) return true;
    for (const child of Array.isArray(current) ? current : Object.values(current)) {
      if (typeof child === 'object' && child !== null) stack.push({ value: child, depth: depth + 1 });
    }
  }
  return false;
}

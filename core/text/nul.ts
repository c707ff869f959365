/**
 * Where a value holds a NUL character (U+0000), in a string or a key: the path to it, or
 * undefined. PostgreSQL's text cannot store NUL (SQLite can), so an input carrying one would be
 * accepted on one engine and fail with a 500 on the other; the kernel refuses it up front instead.
 * Iterative, like the depth check, so a deep input cannot overflow the stack.
 */
export function pathOfNul(value: unknown): (string | number)[] | undefined {
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value, path: [] }];
  while (stack.length > 0) {
    const { value: current, path } = stack.pop()!;
    if (typeof current === 'string') {
      if (current.includes('\u0000')) return path;
      continue;
    }
    if (typeof current !== 'object' || current === null) continue;
    if (Array.isArray(current)) {
      current.forEach((item, index) => stack.push({ value: item, path: [...path, index] }));
      continue;
    }
    for (const [key, child] of Object.entries(current)) {
      if (key.includes('\u0000')) return [...path, key];
      stack.push({ value: child, path: [...path, key] });
    }
  }
  return undefined;
}

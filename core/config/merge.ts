/** Deep-merge plain objects; arrays and other values in `over` replace those in `base`. */
export function mergeDeep<T extends Record<string, unknown>>(base: T, over: Record<string, unknown>): T {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    if (isPlainObject(value) && isPlainObject(current)) out[key] = mergeDeep(current, value);
    else if (value !== undefined) out[key] = value;
  }
  return out as T;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

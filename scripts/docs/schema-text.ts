/** A JSON Schema node as @valibot/to-json-schema produces it (the parts the docs read). */
export interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  items?: JsonSchema | JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  default?: unknown;
  description?: string;
}

/** A value as a reader of TypeScript would write it: strings in single quotes. */
export function literal(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  return JSON.stringify(value) ?? String(value);
}

function union(parts: readonly string[]): string {
  return [...new Set(parts)].join(' | ');
}

/**
 * A short, TypeScript-like type for a JSON Schema: `string`, `integer`, `'a' | 'b'`, `string[]`,
 * `object`. Constraints (lengths, patterns) stay in the OpenAPI document; the README shows shape.
 */
export function typeText(schema: JsonSchema): string {
  if (schema.enum) return union(schema.enum.map(literal));
  if ('const' in schema) return literal(schema.const);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return union(alternatives.map(typeText));
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if (types.length === 0) return 'any';
  return union(
    types.map((type) => {
      if (type !== 'array') return type;
      const items = Array.isArray(schema.items) ? { anyOf: schema.items } : schema.items;
      const item = items ? typeText(items) : 'any';
      return item.includes(' | ') ? `(${item})[]` : `${item}[]`;
    }),
  );
}

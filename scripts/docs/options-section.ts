import type { GenericSchema } from 'valibot';
import { toJsonSchema } from '@valibot/to-json-schema';
import type { AnyPlugin } from '../../core/plugin.js';
import { cell, code, table } from './markdown.js';
import { type JsonSchema, literal, typeText } from './schema-text.js';

interface OptionRow {
  key: string;
  schema: JsonSchema | undefined;
}

/** Options in schema order; nested objects spelled with dots (`limits.max`), as a reader would set them. */
function optionRows(schema: JsonSchema, prefix = ''): OptionRow[] {
  return Object.entries(schema.properties ?? {}).flatMap(([key, property]) => {
    const path = prefix + key;
    if (property.properties && Object.keys(property.properties).length > 0) return optionRows(property, `${path}.`);
    return [{ key: path, schema: property }];
  });
}

/**
 * The plugin's options (`plugins.<name>` in fleet.config.ts) from its valibot `config` schema, each
 * with its default and the environment variables that set it. A variable naming a key the schema
 * lacks still gets a row, so the mistake shows.
 */
export function optionsTable(plugin: AnyPlugin): string | undefined {
  const config = plugin.config as GenericSchema | undefined;
  const schema = config ? (toJsonSchema(config, { errorMode: 'ignore' }) as JsonSchema) : {};
  const rows = optionRows(schema);
  const variables = new Map<string, string[]>();
  for (const [variable, key] of Object.entries(plugin.env ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) {
    variables.set(key, [...(variables.get(key) ?? []), variable]);
    if (!rows.some((row) => row.key === key)) rows.push({ key, schema: undefined });
  }
  if (rows.length === 0) return undefined;
  const described = rows.some((row) => row.schema?.description);
  const headers = ['option', 'type', 'default', 'environment', ...(described ? ['description'] : [])];
  return table(
    headers,
    rows.map(({ key, schema: option }) => [
      code(key),
      option ? cell(typeText(option)) : 'not in the schema',
      option?.default === undefined ? '—' : code(literal(option.default)),
      (variables.get(key) ?? []).map(code).join(', ') || '—',
      ...(described ? [cell(option?.description ?? '')] : []),
    ]),
  );
}

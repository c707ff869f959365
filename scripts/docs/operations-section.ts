import { describeAccess } from '../../core/access.js';
import { ToolArguments } from '../../core/operations/input.js';
import type { Operation, ToolBinding } from '../../core/operations/operation.js';
import { toolInputSchema } from '../../core/mcp/registry.js';
import type { AnyPlugin } from '../../core/plugin.js';
import { cell, code, table } from './markdown.js';
import { type JsonSchema, literal, typeText } from './schema-text.js';

const NONE = '—';

function operationsOf(plugin: AnyPlugin): readonly Operation[] {
  return (plugin.operations ?? []) as readonly Operation[];
}

function routeOf(operation: Operation): string | undefined {
  return operation.http && code(`${operation.http.method} ${operation.http.path}`);
}

/** Routes in declaration order: each with the tools serving the same operation. */
export function routesTable(plugin: AnyPlugin): string | undefined {
  const rows = operationsOf(plugin)
    .filter((operation) => operation.http)
    .map((operation) => [
      operation.http!.method,
      code(operation.http!.path),
      cell(describeAccess(operation.access)),
      cell(operation.summary),
      (operation.tools ?? []).map((tool) => code(tool.name)).join(', ') || NONE,
    ]);
  return rows.length > 0 ? table(['method', 'path', 'access', 'summary', 'tools'], rows) : undefined;
}

/**
 * A tool's arguments as its MCP client sees them (the same JSON Schema `tools/list` serves):
 * `name: type`, with `?` after the name of an optional one, and the input values it fixes.
 */
export function toolArguments(operation: Operation, binding: ToolBinding): string {
  const schema = toolInputSchema(new ToolArguments(operation, binding)) as JsonSchema;
  const required = new Set(schema.required ?? []);
  const args = Object.entries(schema.properties ?? {}).map(([name, property]) => {
    const fallback = property.default === undefined ? '' : ` = ${literal(property.default)}`;
    return cell(`${code(required.has(name) ? name : `${name}?`)}: ${typeText(property)}${fallback}`);
  });
  const fixed = Object.entries(binding.fixed ?? {}).map(([key, value]) => {
    return cell(`${code(key)} fixed to ${literal(value)}`);
  });
  return [...args, ...fixed].join('<br>') || NONE;
}

/** Tools in declaration order of their operations, then of their bindings. */
export function toolsTable(plugin: AnyPlugin): string | undefined {
  const rows = operationsOf(plugin).flatMap((operation) =>
    (operation.tools ?? []).map((binding) => [
      code(binding.name),
      cell(describeAccess(binding.access ?? operation.access)),
      toolArguments(operation, binding),
      routeOf(operation) ?? 'tool only',
      cell(binding.description ?? operation.summary),
    ]),
  );
  return rows.length > 0 ? table(['tool', 'access', 'arguments', 'route', 'description'], rows) : undefined;
}

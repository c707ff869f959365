import type { AnyPlugin } from '../../core/plugin.js';
import { cell, code, table } from './markdown.js';

/** Error codes sorted by code: the stable code, the HTTP status, the message template. */
export function errorsTable(plugin: AnyPlugin): string | undefined {
  const entries = [...(plugin.errors?.entries ?? [])].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  const rows = entries.map((entry) => [code(entry.code), String(entry.status), cell(entry.template)]);
  return rows.length > 0 ? table(['code', 'status', 'message'], rows) : undefined;
}

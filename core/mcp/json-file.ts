import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export type JsonObject = Record<string, unknown>;

export const isJsonObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A settings file someone else may also edit (Claude Code, the user): read whole, or undefined
 * when absent. A file that is not a JSON object is an error naming it, and is never overwritten.
 */
export function readJsonObject(path: string): JsonObject | undefined {
  if (!existsSync(path)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new Error(`${path} is not valid JSON; fix or remove it first`);
  }
  if (!isJsonObject(value)) throw new Error(`${path} does not hold a JSON object; fix or remove it first`);
  return value;
}

/** Write with two-space indent and a final newline, as Claude Code writes these files. */
export function writeJsonObject(path: string, value: JsonObject): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(value, null, 2) + '\n');
}

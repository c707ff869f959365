import * as v from 'valibot';
import { fleetErrors, invalidInput } from '../http/api-error.js';
import { pathOfNul } from '../text/nul.js';
import type { InputSchema, Operation, ToolBinding } from './operation.js';

const OPTIONAL = new Set(['optional', 'nullish', 'exact_optional', 'undefinedable']);

/** The `:name` params of a Koa path. */
export function pathParams(path: string): string[] {
  return [...path.matchAll(/:([A-Za-z0-9_]+)/g)].map((match) => match[1]!);
}

/** Keys an input must have. */
export function requiredKeys(schema: InputSchema): string[] {
  return Object.entries(schema.entries)
    .filter(([, entry]) => !OPTIONAL.has(entry.type))
    .map(([key]) => key);
}

/** `field.sub: message`, the seed's 400 form, from the first valibot issue, with the field renamed for a tool. */
export function describeIssue(
  issues: readonly v.BaseIssue<unknown>[],
  root: string,
  renameTop: (key: string) => string = (key) => key,
): { field: string; message: string } {
  const issue = issues[0]!;
  const keys = issue.path?.map((item) => String(item.key)) ?? [];
  if (keys.length > 0) keys[0] = renameTop(keys[0]!);
  let message = issue.message;
  if (issue.type === 'strict_object' && issue.expected === 'never') message = 'is not a known field';
  else if (issue.input === undefined && issue.received === 'undefined') message = 'is required';
  return { field: keys.join('.') || root, message };
}

/** Validate `input` against an operation's schema (no NUL anywhere); a 400 naming the field otherwise. */
export function validateInput(
  schema: InputSchema,
  input: unknown,
  root: string,
  renameTop?: (key: string) => string,
): Record<string, unknown> {
  const nul = pathOfNul(input);
  if (nul) {
    const keys = nul.map(String);
    if (keys.length > 0 && renameTop) keys[0] = renameTop(keys[0]!);
    throw invalidInput(keys.join('.') || root, 'must not contain NUL characters (\\u0000)');
  }
  const result = v.safeParse(schema, input);
  if (result.success) return result.output;
  const { field, message } = describeIssue(result.issues, root, renameTop);
  throw invalidInput(field, message);
}

/**
 * Refuse keys the input does not know (a `prompt` where the field is `initialPrompt` would
 * otherwise be dropped without a word): a 400 naming the first, listing every unknown key and the
 * known ones. `known` are the names the caller may use, `shown` those worth listing to it.
 */
export function rejectUnknownKeys(
  input: Record<string, unknown>,
  known: ReadonlySet<string>,
  shown: readonly string[] = [...known],
): void {
  const unknown = Object.keys(input).filter((key) => !known.has(key));
  if (unknown.length === 0) return;
  const others =
    unknown.length > 1 ? `, nor ${unknown.length === 2 ? 'is' : 'are'} ${unknown.slice(1).join(', ')}` : '';
  const expected = shown.length > 0 ? `known fields: ${shown.join(', ')}` : 'it takes no fields';
  throw fleetErrors.FLEET_INVALID_INPUT(
    { field: unknown[0]!, message: `is not a known field${others} (${expected})` },
    { field: unknown[0]!, unknown },
  );
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A route's one input: its query, its JSON body and its path params merged. A key given in two
 * places with two values is refused rather than silently preferring one.
 */
export function mergeHttpInput(parts: {
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: unknown;
}): Record<string, unknown> {
  if (parts.body !== undefined && parts.body !== null && !isPlainObject(parts.body))
    throw invalidInput('body', 'must be a JSON object');
  // Without a prototype: a key named `__proto__` stays a key (refused or ignored by the schema), it
  // cannot become the prototype and lend the input inherited fields.
  const merged: Record<string, unknown> = Object.assign(Object.create(null) as Record<string, unknown>, parts.query);
  const sources: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const key of Object.keys(parts.query)) sources[key] = 'query';
  const take = (from: Record<string, unknown>, where: string) => {
    for (const [key, value] of Object.entries(from)) {
      if (key in merged && sources[key] !== where && String(merged[key]) !== String(value)) {
        throw invalidInput(key, `given twice with different values (${sources[key]} and ${where})`);
      }
      merged[key] = value;
      sources[key] = where;
    }
  };
  if (isPlainObject(parts.body)) take(parts.body, 'body');
  take(parts.params, 'path');
  return merged;
}

/** A tool's view of an operation's input keys: argument name ↔ input key. */
export class ToolArguments {
  readonly #toInput = new Map<string, string>();
  readonly #toArg = new Map<string, string>();
  readonly #required: Set<string>;

  constructor(
    readonly operation: Operation,
    readonly binding: ToolBinding,
  ) {
    const hidden = new Set([...(binding.omit ?? []), ...Object.keys(binding.fixed ?? {})]);
    const renamed = new Map(Object.entries(binding.rename ?? {}).map(([arg, key]) => [key, arg]));
    for (const key of Object.keys(operation.input.entries)) {
      if (hidden.has(key)) continue;
      const arg = renamed.get(key) ?? key;
      this.#toInput.set(arg, key);
      this.#toArg.set(key, arg);
    }
    for (const key of [
      ...(binding.omit ?? []),
      ...Object.keys(binding.fixed ?? {}),
      ...Object.values(binding.rename ?? {}),
      ...(binding.required ?? []),
    ]) {
      if (!(key in operation.input.entries))
        throw new Error(`tool ${binding.name}: ${key} is not an input of operation ${operation.name}`);
    }
    this.#required = new Set([
      ...requiredKeys(operation.input).filter((key) => this.#toArg.has(key)),
      ...(binding.required ?? []),
    ]);
  }

  /** The argument name of an input key (for messages). */
  argOf(key: string): string {
    return this.#toArg.get(key) ?? key;
  }

  /** The tool's own input schema (for its JSON Schema): the operation's fields under their argument names. */
  schema(): v.StrictObjectSchema<v.ObjectEntries, undefined> {
    const entries: v.ObjectEntries = {};
    for (const [arg, key] of this.#toInput) {
      const entry = this.operation.input.entries[key]!;
      const wrapped = (entry as { wrapped?: v.GenericSchema }).wrapped;
      entries[arg] = this.binding.required?.includes(key) && OPTIONAL.has(entry.type) && wrapped ? wrapped : entry;
    }
    return v.strictObject(entries);
  }

  /**
   * The operation's input from the tool's arguments: renamed back, fixed values added. An argument
   * the tool does not offer (a misspelt one, an omitted `fromUid`, a fixed `status`) is refused,
   * as its JSON Schema says (`additionalProperties: false`), never passed through or dropped.
   */
  toInput(args: unknown): Record<string, unknown> {
    if (!isPlainObject(args)) throw invalidInput('arguments', 'must be an object');
    rejectUnknownKeys(args, new Set(this.#toInput.keys()));
    for (const key of this.#required) {
      if (args[this.argOf(key)] === undefined) throw invalidInput(this.argOf(key), 'is required');
    }
    const input: Record<string, unknown> = {};
    for (const [arg, value] of Object.entries(args)) {
      const key = this.#toInput.get(arg);
      if (key !== undefined) input[key] = value;
    }
    return { ...input, ...this.binding.fixed };
  }
}

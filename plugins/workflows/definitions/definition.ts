import * as v from 'valibot';
import type { StepKind } from '../steps/kind.js';
import { expressionField } from '../steps/expression.js';
import { definitionErrors } from './errors.js';

/** A step of a definition, after validation (defaults filled). */
export interface StepDefinition {
  key: string;
  name: string;
  type: string;
  dependsOn: string[];
  /** The kind's config (without the seed's redundant `config.type`). */
  config: Record<string, unknown>;
  guard?: { type: 'expression' | 'script' | 'output_check'; condition: string };
  /** What a failure does once retries are spent: fail the execution, skip the step, or continue past it. */
  onFailure: 'fail' | 'skip' | 'retry' | 'continue';
  /** Retries after the first attempt. */
  maxRetries: number;
  /** First retry's delay; doubles per retry (the plugin's backoffMs when absent). */
  backoffMs?: number;
  timeoutMs?: number;
  budget?: { maxCostUsd?: number; maxTokens?: number };
}

export interface InputDefinition {
  type: 'string' | 'number' | 'boolean' | 'object' | 'array';
  required: boolean;
  default?: unknown;
  description?: string;
}

export interface WorkflowDefinition {
  steps: StepDefinition[];
  inputs: Record<string, InputDefinition>;
  /** Output name → a context path (`steps.scout.output.task`), resolved at completion. */
  outputs: Record<string, string>;
  /** The whole execution's limit (0: none). */
  timeoutMs: number;
}

const KEY = /^[A-Za-z0-9_-]{1,50}$/;
const int = (min: number, max: number) =>
  v.pipe(
    v.number('must be a number'),
    v.integer('must be a whole number'),
    v.minValue(min, `must be at least ${min}`),
    v.maxValue(max, `must be at most ${max}`),
  );
const key = v.pipe(v.string('must be a string'), v.regex(KEY, 'must be 1-50 letters, digits, _ or -'));

const stepSchema = v.strictObject({
  key,
  name: v.optional(
    v.pipe(
      v.string('must be a string'),
      v.minLength(1, 'must not be empty'),
      v.maxLength(100, 'must be at most 100 characters'),
    ),
  ),
  type: v.pipe(v.string('must be a string'), v.minLength(1, 'must not be empty')),
  dependsOn: v.optional(
    v.pipe(v.array(key, 'must be a list of step keys'), v.maxLength(20, 'must list at most 20 steps')),
  ),
  config: v.optional(v.record(v.string(), v.unknown(), 'must be an object')),
  guard: v.optional(
    v.strictObject({
      type: v.optional(
        v.picklist(['expression', 'script', 'output_check'], 'must be one of expression, script, output_check'),
      ),
      // Parsed here, so a malformed guard is a 400 at create time, not a step failing when it runs.
      condition: expressionField,
    }),
  ),
  onFailure: v.optional(
    v.picklist(['fail', 'skip', 'retry', 'continue'], 'must be one of fail, skip, retry, continue'),
  ),
  maxRetries: v.optional(int(0, 10)),
  retry: v.optional(v.strictObject({ max: int(0, 10), backoffMs: v.optional(int(0, 86_400_000)) })),
  timeoutMs: v.optional(int(1, 7 * 86_400_000)),
  budget: v.optional(
    v.strictObject({
      maxCostUsd: v.optional(v.pipe(v.number('must be a number'), v.minValue(0, 'must be at least 0'))),
      maxTokens: v.optional(int(0, Number.MAX_SAFE_INTEGER)),
    }),
  ),
});

const inputSchema = v.strictObject({
  type: v.optional(
    v.picklist(
      ['string', 'number', 'boolean', 'object', 'array'],
      'must be one of string, number, boolean, object, array',
    ),
  ),
  required: v.optional(v.boolean('must be true or false')),
  default: v.optional(v.unknown()),
  description: v.optional(v.pipe(v.string('must be a string'), v.maxLength(500, 'must be at most 500 characters'))),
});

const definitionSchema = v.strictObject({
  steps: v.pipe(
    v.array(v.unknown(), 'must be a list of steps'),
    v.minLength(1, 'must have at least 1 step'),
    v.maxLength(100, 'must have at most 100 steps'),
  ),
  inputs: v.optional(
    v.record(
      v.pipe(v.string(), v.regex(KEY, 'input names are 1-50 letters, digits, _ or -')),
      inputSchema,
      'must be an object',
    ),
  ),
  outputs: v.optional(
    v.record(
      v.string(),
      v.pipe(v.string('must be a context path'), v.maxLength(200, 'must be at most 200 characters')),
      'must be an object',
    ),
  ),
  timeoutMs: v.optional(int(0, 30 * 86_400_000)),
});

function fail(field: string, message: string): never {
  throw definitionErrors.WORKFLOWS_INVALID_DEFINITION({ field, message }, { field });
}

/** `a.b[2].c` from a valibot issue path under `root`. */
function pathOf(root: string, issue: v.BaseIssue<unknown>): string {
  let path = root;
  for (const item of issue.path ?? []) path += typeof item.key === 'number' ? `[${item.key}]` : `.${String(item.key)}`;
  return path;
}

function parse<S extends v.GenericSchema>(schema: S, value: unknown, root: string): v.InferOutput<S> {
  const result = v.safeParse(schema, value);
  if (result.success) return result.output;
  const issue = result.issues[0];
  let message = issue.message;
  if (issue.type === 'strict_object' && issue.expected === 'never') message = 'is not a known field';
  else if (issue.input === undefined && issue.received === 'undefined') message = 'is required';
  return fail(pathOf(root, issue), message);
}

const typeOf = (value: unknown) => (Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value);

/**
 * A definition as given (POST/PATCH /workflows), validated whole: its shape, every step's config by its
 * kind's schema, the DAG (unknown or duplicate keys, cycles), inputs' defaults by their type. A 400 names
 * the field: `definition.steps[2].dependsOn`, `definition.steps[0].config.prompt`, `definition.inputs.x.default`.
 */
export function validateDefinition(
  raw: unknown,
  kinds: Readonly<Record<string, StepKind>>,
  root = 'definition',
): WorkflowDefinition {
  const shape = parse(definitionSchema, raw, root);
  const steps: StepDefinition[] = [];
  const index = new Map<string, number>();
  shape.steps.forEach((rawStep, i) => {
    const at = `${root}.steps[${i}]`;
    const step = parse(stepSchema, rawStep, at);
    if (index.has(step.key)) fail(`${at}.key`, `duplicate step key '${step.key}' (also steps[${index.get(step.key)}])`);
    index.set(step.key, i);
    const kind = kinds[step.type];
    if (!kind) fail(`${at}.type`, `unknown step type '${step.type}' (known: ${Object.keys(kinds).sort().join(', ')})`);
    const { type: configType, ...config } = step.config ?? {};
    // The seed repeated the type inside config; kept optional, but it must agree with the step's.
    if (configType !== undefined && configType !== step.type)
      fail(`${at}.config.type`, `must be '${step.type}' like the step's type (or be left out)`);
    const checked = parse(kind.config, config, `${at}.config`) as Record<string, unknown>;
    if (step.maxRetries !== undefined && step.retry !== undefined && step.maxRetries !== step.retry.max)
      fail(`${at}.retry.max`, 'disagrees with maxRetries: give one of them');
    let maxRetries = step.retry?.max ?? step.maxRetries ?? 0;
    const onFailure = step.onFailure ?? 'fail';
    if (onFailure === 'retry' && maxRetries === 0) maxRetries = 3;
    steps.push({
      key: step.key,
      name: step.name ?? step.key,
      type: step.type,
      dependsOn: [...new Set(step.dependsOn ?? [])],
      config: checked,
      ...(step.guard ? { guard: { type: step.guard.type ?? 'expression', condition: step.guard.condition } } : {}),
      onFailure,
      maxRetries,
      ...(step.retry?.backoffMs !== undefined ? { backoffMs: step.retry.backoffMs } : {}),
      ...(step.timeoutMs !== undefined ? { timeoutMs: step.timeoutMs } : {}),
      ...(step.budget ? { budget: step.budget } : {}),
    });
  });
  steps.forEach((step, i) => {
    // A gate's branches name steps of this workflow (the engine skips the branch not taken).
    for (const branch of ['onTrue', 'onFalse'] as const) {
      const keys = step.type === 'gate' ? step.config[branch] : undefined;
      if (!Array.isArray(keys)) continue;
      for (const key of keys as string[]) {
        if (!index.has(key)) fail(`${root}.steps[${i}].config.${branch}`, `unknown step key '${key}'`);
        if (key === step.key) fail(`${root}.steps[${i}].config.${branch}`, 'a gate cannot skip itself');
      }
    }
    for (const dependency of step.dependsOn) {
      if (!index.has(dependency)) fail(`${root}.steps[${i}].dependsOn`, `unknown step key '${dependency}'`);
      if (dependency === step.key) fail(`${root}.steps[${i}].dependsOn`, 'a step cannot depend on itself');
    }
  });
  const cycle = findCycle(steps);
  if (cycle)
    fail(`${root}.steps[${index.get(cycle[0]!)}].dependsOn`, `forms a cycle: ${[...cycle, cycle[0]].join(' -> ')}`);
  const inputs: Record<string, InputDefinition> = {};
  for (const [name, input] of Object.entries(shape.inputs ?? {})) {
    const type = input.type ?? 'string';
    // null stands for "no default" (the seed's examples write default: null).
    const hasDefault = input.default !== undefined && input.default !== null;
    if (hasDefault && typeOf(input.default) !== type)
      fail(`${root}.inputs.${name}.default`, `must be a ${type} like the input's type`);
    inputs[name] = {
      type,
      required: input.required ?? false,
      ...(hasDefault ? { default: input.default } : {}),
      ...(input.description ? { description: input.description } : {}),
    };
  }
  return { steps, inputs, outputs: shape.outputs ?? {}, timeoutMs: shape.timeoutMs ?? 0 };
}

/** The keys of one cycle in dependency order, or undefined for a DAG. */
function findCycle(steps: readonly StepDefinition[]): string[] | undefined {
  const byKey = new Map(steps.map((step) => [step.key, step]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (key: string): string[] | undefined => {
    if (state.get(key) === 'done') return undefined;
    if (state.get(key) === 'visiting') return stack.slice(stack.indexOf(key));
    state.set(key, 'visiting');
    stack.push(key);
    for (const dependency of byKey.get(key)?.dependsOn ?? []) {
      const found = visit(dependency);
      if (found) return found;
    }
    stack.pop();
    state.set(key, 'done');
    return undefined;
  };
  for (const step of steps) {
    const found = visit(step.key);
    if (found) return found;
  }
  return undefined;
}

/** Inputs given to a start, checked against the declared ones: defaults filled, 400 naming `inputs.<name>`. */
export function resolveInputs(
  declared: Readonly<Record<string, InputDefinition>>,
  given: Readonly<Record<string, unknown>>,
  missing: (name: string) => Error,
  bad: (name: string, message: string) => Error,
): Record<string, unknown> {
  const inputs: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(given)) {
    const input = declared[name];
    // Undeclared inputs are passed through (the seed kept them in the context); declared ones are typed.
    if (input && value !== undefined && value !== null && typeOf(value) !== input.type)
      throw bad(name, `must be a ${input.type}`);
    inputs[name] = value;
  }
  for (const [name, input] of Object.entries(declared)) {
    if (inputs[name] !== undefined && inputs[name] !== null) continue;
    if (input.default !== undefined) inputs[name] = input.default;
    else if (input.required) throw missing(name);
  }
  return inputs;
}

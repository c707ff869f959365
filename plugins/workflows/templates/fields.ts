import * as v from 'valibot';
import { f } from '../../../core/index.js';
import { PHASES } from './builtins.js';

const NAME = /^[A-Za-z0-9_-]+$/;

export const templateName = v.pipe(
  v.string('must be a string'),
  v.minLength(1, 'must be 1–100 characters'),
  v.maxLength(100, 'must be 1–100 characters'),
  v.regex(NAME, 'may contain only letters, digits, _ and -'),
);

const role = v.pipe(
  v.string('must be a string'),
  v.regex(/^[A-Za-z0-9_-]{1,50}$/, 'must be a role: 1–50 of letters, digits, _ and -'),
);
const phaseRoles = f.list(role, { max: 20, of: 'roles', unit: 'roles per phase' });

/** Each phase optional: on create a missing one is empty, on PATCH a missing one is kept (the seed wiped it). */
export const phasesInput = v.object(
  Object.fromEntries(PHASES.map((phase) => [phase, v.optional(phaseRoles)])) as Record<
    (typeof PHASES)[number],
    v.OptionalSchema<typeof phaseRoles, undefined>
  >,
);

const parameterName = v.pipe(
  v.string('must be a string'),
  v.regex(/^[A-Za-z_][A-Za-z0-9_]{0,49}$/, 'must be 1–50 of letters, digits and _, not starting with a digit'),
  v.check((name) => !['__proto__', 'constructor', 'prototype'].includes(name), 'is a reserved name'),
);

export const parameterSpec = v.object({
  type: f.oneOf(['string', 'number', 'boolean', 'array', 'object'] as const),
  required: v.optional(f.flag),
  default: v.optional(v.unknown()),
  description: v.optional(f.text({ max: 500 })),
});

export const parametersInput = v.pipe(
  v.record(parameterName, parameterSpec, 'must be an object of parameter names to { type, required?, default? }'),
  v.check((value) => Object.keys(value).length <= 50, 'must declare at most 50 parameters'),
);

/** A workflow id as the workflows part names them (checked for existence when a run starts it). */
export const workflowId = f.text({ min: 1, max: 100 });

export const templateId = f.text({ min: 1, max: 100 });
export const swarmName = templateName;

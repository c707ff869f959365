import * as v from 'valibot';
import { f } from '../../../core/index.js';

/**
 * Config fields of step kinds. A definition is validated before the engine resolves `{{…}}`, so a field that
 * may come from a template (a worker's handle from an earlier step's output, a path from an input) takes
 * either its own form or a string with a template in it; configOf checks the resolved value again at run.
 */
const TEMPLATE = /\{\{\s*[A-Za-z0-9_$.-]+\s*\}\}/;
export const hasTemplate = (value: string) => TEMPLATE.test(value);

function orTemplate(check: (value: string) => boolean, message: string, max: number) {
  return v.pipe(
    v.string('must be a string'),
    v.minLength(1, message),
    v.maxLength(max, message),
    v.check((value) => hasTemplate(value) || check(value), message),
  );
}

const HANDLE = /^[A-Za-z0-9_-]{1,50}$/;
/** A worker's or agent's handle, or a template giving one. */
export const handleField = orTemplate((value) => HANDLE.test(value), 'must be a handle (1–50 of A-Z a-z 0-9 _ -)', 500);

/** An absolute path (checked to exist when the step runs), or a template giving one. */
export const pathField = orTemplate((value) => value.startsWith('/'), 'must be an absolute path', 1000);

/** A program and its arguments: never a shell string. */
export const argvField = v.pipe(
  v.array(
    v.pipe(v.string('must be strings'), v.maxLength(10_000, 'must be at most 10000 characters each')),
    'must be an array of strings: the program, then its arguments (no shell)',
  ),
  v.minLength(1, 'must name the program: ["npm", "test"]'),
  v.maxLength(200, 'must have at most 200 items'),
  v.check((argv) => argv[0] !== '', 'must name the program first (not an empty string)'),
);

/** The seed's `command` string is refused, with the way to say it now. */
export const noCommandString = v.optional(
  v.custom<never>(
    () => false,
    'is not accepted: give an argument array in argv, e.g. "argv": ["npm", "test"] (commands never run in a shell)',
  ),
);

/** Environment variables for a command: NAME → value. */
export const envField = v.optional(
  v.pipe(
    v.record(
      v.pipe(v.string(), v.regex(/^[A-Za-z_][A-Za-z0-9_]{0,99}$/, 'must be variable names (A-Z, 0-9, _)')),
      v.pipe(v.string('must be strings'), v.maxLength(10_000, 'must be at most 10000 characters each')),
      'must be an object of NAME: "value"',
    ),
    v.check((env) => Object.keys(env).length <= 50, 'must have at most 50 variables'),
  ),
);

export const seconds = (max: number) => f.int(1, max);
export const text = f.text;
export const flag = v.optional(v.boolean('must be true or false'));

/** The seed's `type` inside a config: when given, it must be the step's kind (the seed never checked). */
export const typeOf = (kind: string) => v.optional(v.literal(kind, `must be '${kind}' (the step's type) or left out`));

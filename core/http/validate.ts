import * as v from 'valibot';
import { HttpError } from './http-error.js';

export type AnySchema = v.GenericSchema<unknown, unknown>;

/** `field.sub: message`, the seed's 400 format, from the first valibot issue. */
export function firstIssueMessage(issues: readonly v.BaseIssue<unknown>[], root: string): string {
  const issue = issues[0]!;
  const path = issue.path?.map((item) => String(item.key)).join('.');
  const field = path || root;
  let message = issue.message;
  if (issue.type === 'strict_object' && issue.expected === 'never') message = 'is not a known field';
  else if (issue.input === undefined && issue.received === 'undefined') message = 'is required';
  return `${field}: ${message}`;
}

/** Validate `input` against `schema`; throw a 400 naming the field otherwise. */
export function validateOrThrow<S extends AnySchema>(schema: S, input: unknown, root: string): v.InferOutput<S> {
  const result = v.safeParse(schema, input);
  if (result.success) return result.output as v.InferOutput<S>;
  throw new HttpError(400, firstIssueMessage(result.issues, root));
}

/** Handles and team names: 1–50 of [A-Za-z0-9_-], as the seed requires. */
export const handleSchema = v.pipe(
  v.string('must be a string'),
  v.minLength(1, 'must be 1–50 characters'),
  v.maxLength(50, 'must be 1–50 characters'),
  v.regex(/^[A-Za-z0-9_-]+$/, 'may contain only letters, digits, _ and -'),
);

/** A whole number given as a query or path string, checked against a range. */
export function intString(min: number, max: number) {
  return v.pipe(
    v.string('must be a whole number'),
    v.regex(/^\d{1,15}$/, 'must be a whole number'),
    v.transform(Number),
    v.minValue(min, `must be at least ${min}`),
    v.maxValue(max, `must be at most ${max}`),
  );
}

/** The seed's 24-hex-digit agent id. */
export const uidSchema = v.pipe(v.string('must be a string'), v.regex(/^[a-f0-9]{24}$/, 'must be a 24-digit hex agent uid'));

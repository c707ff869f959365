import * as v from 'valibot';
import { f } from '../../core/index.js';

/** A workflow's name: 1-100 letters, digits, _ or - (unique per team). */
export const workflowName = v.pipe(
  v.string('must be a string'),
  v.regex(/^[A-Za-z0-9_-]{1,100}$/, 'must be 1-100 letters, digits, _ or -'),
);
export const description = f.text({ max: 500 });
export const workflowId = f.uuid('workflow');
export const executionId = f.uuid('execution');
export const stepId = f.uuid('step');
export const triggerId = f.uuid('trigger');
/** A definition (steps, inputs, outputs), checked whole by definitions/definition.ts. */
export const definition = f.jsonObject({ maxChars: 1_000_000 });
export const inputs = f.jsonObject({ maxChars: 100_000 });
export const swarmId = f.text({ min: 1, max: 100 });
export const limit = f.int(1, 100);
export const executionStatus = f.oneOf(['running', 'paused', 'completed', 'failed', 'cancelled']);

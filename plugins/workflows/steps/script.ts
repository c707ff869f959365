import * as v from 'valibot';
import { evaluateExpression, expressionField } from './expression.js';
import { typeOf } from './fields.js';
import type { StepKind } from './kind.js';
import { configOf, guarded, succeeded } from './outcome.js';

/**
 * `script`: the seed's script step, an expression (expression.ts; no shell, no JavaScript) evaluated on the
 * context; its value goes to `output[outputKey]` (default `result`). Evaluating is its own evidence.
 */
export const scriptConfig = v.strictObject({
  type: typeOf('script'),
  script: expressionField,
  outputKey: v.optional(
    v.pipe(
      v.string('must be a string'),
      v.regex(/^[A-Za-z_][A-Za-z0-9_]{0,49}$/, 'must be a name (letters, digits, _)'),
    ),
  ),
});

export const scriptKind: StepKind = {
  type: 'script',
  config: scriptConfig,
  run: (step) =>
    guarded(step, () => {
      const config = configOf(scriptConfig, step);
      const value = evaluateExpression(config.script, step.context);
      return Promise.resolve(
        succeeded({ [config.outputKey ?? 'result']: value ?? null }, `evaluated ${config.script}`),
      );
    }),
};

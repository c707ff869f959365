import type { StepKind } from './kind.js';
import { spawnKind } from './spawn.js';

export type { KeptEvent, StepKind, StepOutcome, StepRun, WaitForEvent } from './kind.js';
export { evaluateExpression, ExpressionError, parseExpression, passes } from './expression.js';

/** Every step kind by type name; WF1's engine runs them and validates definitions with their schemas. */
export const stepKinds: Record<string, StepKind> = Object.fromEntries([spawnKind].map((kind) => [kind.type, kind]));

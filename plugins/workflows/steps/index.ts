import type { StepKind } from './kind.js';

export type { KeptEvent, StepKind, StepOutcome, StepRun, WaitForEvent } from './kind.js';

/** Every step kind by type name; WF1's engine runs them and validates definitions with their schemas. */
export const stepKinds: Record<string, StepKind> = {};

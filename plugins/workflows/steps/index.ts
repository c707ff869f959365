import { approvalKind } from './approval.js';
import { checkpointKind } from './checkpoint.js';
import { commandKind } from './command.js';
import { gateKind } from './gate.js';
import type { StepKind } from './kind.js';
import { scriptKind } from './script.js';
import { sendKind } from './send.js';
import { spawnKind } from './spawn.js';
import { taskKind } from './task.js';
import { waitKind } from './wait.js';
import { workflowKind } from './workflow.js';

export type { KeptEvent, StepKind, StepOutcome, StepRun, WaitForEvent } from './kind.js';
export {
  evaluateExpression,
  expressionField,
  ExpressionError,
  parseExpression,
  passes,
  resolvePath,
} from './expression.js';

/** Every step kind by type name; the engine runs them and validates definitions with their schemas. */
export const stepKinds: Record<string, StepKind> = Object.fromEntries(
  [
    spawnKind,
    sendKind,
    taskKind,
    commandKind,
    gateKind,
    checkpointKind,
    approvalKind,
    waitKind,
    workflowKind,
    scriptKind,
  ].map((kind) => [kind.type, kind]),
);

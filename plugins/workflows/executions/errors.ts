import { defineErrors } from '../../../core/index.js';

export const executionErrors = defineErrors({
  WORKFLOWS_EXECUTION_NOT_FOUND: [404, 'Execution not found'],
  WORKFLOWS_STEP_NOT_FOUND: [404, 'Step not found'],
  WORKFLOWS_MISSING_INPUT: [400, '{field}: Missing required input: {name}'],
  WORKFLOWS_BAD_INPUT: [400, '{field}: {message}'],
  WORKFLOWS_CANNOT_PAUSE: [409, 'Cannot pause execution (status {status}, not running)'],
  WORKFLOWS_CANNOT_RESUME: [409, 'Cannot resume execution (status {status}, not paused)'],
  WORKFLOWS_CANNOT_CANCEL: [409, 'Cannot cancel execution (already {status})'],
  WORKFLOWS_CANNOT_RETRY: [409, 'Cannot retry step (status {status}: only a failed or cancelled step is retried)'],
  WORKFLOWS_CANNOT_COMPLETE: [409, 'Cannot complete step (status {status}: already settled)'],
  WORKFLOWS_EXECUTION_SETTLED: [409, 'Execution is {status}'],
  WORKFLOWS_NOT_ASSIGNED: [403, 'Only a team lead or the step’s assignee may complete it'],
});

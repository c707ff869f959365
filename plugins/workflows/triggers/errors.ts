import { defineErrors } from '../../../core/index.js';

export const triggerErrors = defineErrors({
  WORKFLOWS_TRIGGER_NOT_FOUND: [404, 'Trigger not found'],
  WORKFLOWS_TRIGGER_INVALID: [400, '{field}: {message}'],
});

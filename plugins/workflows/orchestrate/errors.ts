import { defineErrors } from '../../../core/index.js';

/** Waves and multi-repo runs (merged into the workflows plugin's table). */
export const orchestrateErrors = defineErrors({
  WORKFLOWS_ORCHESTRATE_WAVES_NOT_FOUND: [404, 'Wave execution not found'],
  WORKFLOWS_ORCHESTRATE_MULTIREPO_NOT_FOUND: [404, 'Multi-repo execution not found'],
  WORKFLOWS_ORCHESTRATE_NOT_CANCELLABLE: [400, "Cannot cancel execution in '{status}' state"],
  WORKFLOWS_ORCHESTRATE_WORKERS_OFF: [
    409,
    'The workers plugin is off: a prompt needs a Claude Code worker (give argv to run a command instead)',
  ],
});

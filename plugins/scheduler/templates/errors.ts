import { defineErrors } from '../../../core/index.js';

/** Template codes (merged into the plugin's table in index.ts). */
export const templateErrors = defineErrors({
  SCHEDULER_TEMPLATE_NOT_FOUND: [404, 'Template not found'],
  SCHEDULER_TEMPLATE_BUILT_IN: [409, 'id: {id} is a built-in template; choose another id'],
  SCHEDULER_TEMPLATE_EXISTS: [409, 'id: your team already has a template {id}'],
  SCHEDULER_TEMPLATE_MISSING_CONTEXT: [400, '{field}: required by template {id}'],
});

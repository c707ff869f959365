import { defineErrors } from '../../../core/index.js';

/** Template codes (merged into the plugin's table in index.ts); messages are the seed's where it had one. */
export const templateErrors = defineErrors({
  WORKFLOWS_TEMPLATE_NOT_FOUND: [404, 'Template not found'],
  WORKFLOWS_TEMPLATE_RUN_NOT_FOUND: [404, 'Template run not found'],
  WORKFLOWS_TEMPLATE_EXISTS: [409, "Template with name '{name}' already exists"],
  WORKFLOWS_TEMPLATE_BUILT_IN: [403, 'Cannot {verb} built-in templates'],
  WORKFLOWS_TEMPLATE_ROLES: [400, '{field}: Template must have between {min} and 50 total roles across all phases'],
  WORKFLOWS_TEMPLATE_EMPTY_UPDATE: [400, 'body: At least one field must be provided for update'],
  WORKFLOWS_TEMPLATE_PARAMETER: [400, 'parameters.{name}: {message}'],
  WORKFLOWS_TEMPLATE_WORKERS_OFF: [409, 'the workers plugin is off: a template’s roles need workers'],
  WORKFLOWS_TEMPLATE_ENGINE_OFF: [409, 'the workflow engine is not available: template {id} starts a workflow'],
  WORKFLOWS_TEMPLATE_NOT_A_DIR: [400, 'workingDir: {path} is not a directory'],
});

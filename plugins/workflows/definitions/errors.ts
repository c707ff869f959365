import { defineErrors } from '../../../core/index.js';

export const definitionErrors = defineErrors({
  WORKFLOWS_NOT_FOUND: [404, 'Workflow not found'],
  WORKFLOWS_NAME_TAKEN: [409, "Workflow '{name}' already exists"],
  WORKFLOWS_INVALID_DEFINITION: [400, '{field}: {message}'],
  WORKFLOWS_HAS_EXECUTIONS: [409, 'Workflow has {count} execution(s) not finished: cancel them first'],
  WORKFLOWS_NOTHING_TO_UPDATE: [400, ': At least one of definition or description must be provided'],
});

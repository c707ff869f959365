import { mergeErrors } from '../../core/index.js';
import { definitionErrors } from './definitions/errors.js';
import { executionErrors } from './executions/errors.js';
import { triggerErrors } from './triggers/errors.js';
import { missionErrors } from './missions/index.js';
import { orchestrateErrors } from './orchestrate/index.js';
import { templateErrors } from './templates/index.js';

export { definitionErrors, executionErrors, triggerErrors };

/** One table of every part's codes (WORKFLOWS_*, WORKFLOWS_<PART>_*); a code declared twice is refused. */
export const workflowsErrors = mergeErrors(
  definitionErrors,
  executionErrors,
  triggerErrors,
  orchestrateErrors,
  missionErrors,
  templateErrors,
);

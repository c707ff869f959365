import { defineEvents } from '../../core/index.js';
import { missionEvents } from './missions/index.js';
import { orchestrateEvents } from './orchestrate/index.js';
import { templateEvents } from './templates/index.js';

/** What a workflow or step event carries: ids and states, never step outputs (read them through the API). */
export interface WorkflowEventData {
  executionId: string;
  workflowId: string;
  status: string;
  by?: string;
  error?: string;
}
export interface StepEventData extends WorkflowEventData {
  stepId: string;
  stepKey: string;
  stepType: string;
  attempt: number;
  evidence?: string;
}

declare module '../../core/index.js' {
  interface FleetEventMap {
    'workflow:created': { workflowId: string; name: string; version: number; by: string };
    'workflow:updated': { workflowId: string; name: string; version: number; by: string };
    'workflow:deleted': { workflowId: string; name: string; by: string };
    'workflow:started': WorkflowEventData;
    'workflow:paused': WorkflowEventData;
    'workflow:resumed': WorkflowEventData;
    'workflow:cancelled': WorkflowEventData;
    'workflow:completed': WorkflowEventData;
    'workflow:failed': WorkflowEventData;
    'step:started': StepEventData;
    'step:completed': StepEventData;
    'step:failed': StepEventData;
    'step:skipped': StepEventData;
    'step:retried': StepEventData;
    'trigger:fired': { triggerId: string; workflowId: string; executionId: string | null; error?: string };
  }
}

const topic = 'workflows';

export const coreEvents = defineEvents({
  'workflow:created': { topic, summary: 'A workflow was defined' },
  'workflow:updated': { topic, summary: 'A workflow’s definition or description changed (version +1)' },
  'workflow:deleted': { topic, summary: 'A workflow was deleted (it had no unfinished executions)' },
  'workflow:started': { topic, summary: 'An execution started (by a route, tool, trigger, schedule or template)' },
  'workflow:paused': { topic, summary: 'An execution was paused: no new step starts' },
  'workflow:resumed': { topic, summary: 'A paused execution was resumed' },
  'workflow:cancelled': { topic, summary: 'An execution was cancelled; its running steps were told to stop' },
  'workflow:completed': { topic, summary: 'Every step of an execution succeeded or was skipped' },
  'workflow:failed': { topic, summary: 'An execution failed: a step failed with onFailure fail, or a timeout' },
  'step:started': { topic, summary: 'A step was claimed and started (or re-attached after a restart)' },
  'step:completed': { topic, summary: 'A step succeeded, with its evidence' },
  'step:failed': { topic, summary: 'A step failed (error, timeout, budget), retries exhausted or not' },
  'step:skipped': { topic, summary: 'A step was skipped (guard false, gate branch, onFailure skip)' },
  'step:retried': {
    topic,
    summary: 'A failed step was scheduled to run again (retry policy or POST /steps/:id/retry)',
  },
  'trigger:fired': { topic, summary: 'A trigger fired once for an event or slot and started its workflow' },
});

/** Every part's events (WS, team-scoped on the `workflows` topic or the part's own). */
export const workflowsEvents = defineEvents({
  ...coreEvents,
  ...orchestrateEvents,
  ...missionEvents,
  ...templateEvents,
});

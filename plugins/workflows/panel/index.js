// The workflows plugin's panel: the `workflows` view — executions (newest first) with their steps; leads
// pause, resume and cancel executions and retry failed steps. Schedules' runs are the scheduler's `runs`.
import { WorkflowsView } from './workflows-view.js';

export const views = [{ id: 'workflows', title: 'Workflows', order: 75, component: WorkflowsView }];

// The scheduler plugin's panel: the `runs` view (schedules, their recent runs, the scheduler's state;
// leads start/stop it and enable/disable schedules), and the needs-you items of schedules whose latest
// run failed or was refused. Workflow executions are the workflows plugin's own `workflows` view.
import { RunsView } from './runs-view.js';

export { inbox } from './inbox.js';
export const views = [{ id: 'runs', title: 'Runs', order: 70, component: RunsView }];

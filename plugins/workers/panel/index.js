// @ts-check
// The workers plugin's dashboard panel: the overview of every worker (#/workers), one worker's live transcript
// and a lead's controls (#/worker/<handle>, reached from the overview, not in the nav), and the workers' items
// in the needs-you inbox.
import { linkStylesheet } from 'fleet-dashboard';
import { OverviewView } from './overview.js';
import { WorkerView } from './worker-view.js';
import { workersInbox } from './inbox.js';

// The panel's own styles, beside this module (served from the panel's folder like it).
linkStylesheet(new URL('./workers.css', import.meta.url).href);

export const views = [
  { id: 'workers', title: 'Workers', order: 10, component: OverviewView },
  { id: 'worker', title: 'Worker', order: 11, component: WorkerView, nav: false },
];

/** @param {any} fleet */
export function inbox(fleet) {
  return workersInbox(fleet);
}

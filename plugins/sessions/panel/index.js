// The sessions plugin's panel: the `costs` view — tokens and cost by day (a uPlot chart), by worker and by
// task over the same days, and the team's budgets when the budgets plugin is on.
import { CostsView } from './costs-view.js';

export const views = [{ id: 'costs', title: 'Costs', order: 50, component: CostsView }];

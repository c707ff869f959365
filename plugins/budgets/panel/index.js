// The budgets plugin's panel: no view of its own (the costs view lists the budgets when this plugin is on),
// only needs-you items for budgets that are over. The workers they paused are the workers panel's items,
// and the leads' extension approval is the policy panel's.
export { inbox } from './inbox.js';

export const views = [];

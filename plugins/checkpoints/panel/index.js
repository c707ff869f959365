// The checkpoints plugin's panel: no view of its own, only needs-you items for the checkpoints left for the
// signed-in lead, with Accept and Reject.
export { inbox } from './inbox.js';

export const views = [];

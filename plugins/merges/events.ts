import { defineEvents } from '../../core/index.js';
import type { MergeEntry } from './entry-view.js';

declare module '../../core/index.js' {
  interface FleetEventMap {
    'merge:queued': { entry: MergeEntry };
    'merge:started': { entry: MergeEntry };
    'merge:merged': { entry: MergeEntry };
    'merge:conflict': { entry: MergeEntry };
    'merge:failed': { entry: MergeEntry };
    'merge:refused': { entry: MergeEntry };
    'merge:cancelled': { entry: MergeEntry };
    'merge:pr': { entry: MergeEntry };
  }
}

export const mergesEvents = defineEvents({
  'merge:queued': { topic: 'merges', summary: 'A branch was queued (or queued again by a retry)' },
  'merge:started': { topic: 'merges', summary: 'The runner took an entry: rebase, test, check, merge' },
  'merge:merged': { topic: 'merges', summary: 'An entry was merged: the target moved to its rebased commit' },
  'merge:conflict': { topic: 'merges', summary: 'An entry did not rebase cleanly: the conflicting files' },
  'merge:failed': { topic: 'merges', summary: 'An entry’s test failed on every try (with the output’s tail)' },
  'merge:refused': { topic: 'merges', summary: 'The lost-hunk check found a hunk of the branch missing' },
  'merge:cancelled': { topic: 'merges', summary: 'A queued entry was cancelled' },
  'merge:pr': {
    topic: 'merges',
    summary: 'PR mode: the rebased branch was pushed and its pull request opened or updated',
  },
});

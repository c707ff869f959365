import { defineErrors } from '../../core/index.js';

export const mergesErrors = defineErrors({
  MERGES_NOT_FOUND: [404, 'id: no merge queue entry of your team has this id'],
  MERGES_BRANCH_REQUIRED: [400, 'branch: give a worker handle or a branch'],
  MERGES_REPO_REQUIRED: [400, 'repo: a branch needs the repository it is in'],
  MERGES_NOT_A_REPO: [400, '{field}: {path} is not inside a git repository'],
  MERGES_NO_BRANCH: [400, '{field}: no branch {branch} in the repository'],
  MERGES_SAME_BRANCH: [400, 'target: the branch and the target are the same ({branch})'],
  MERGES_WORKERS_OFF: [400, 'handle: the workers plugin is off; give a branch and a repo'],
  MERGES_WORKER_NOT_FOUND: [404, 'handle: no worker {handle} in your team'],
  MERGES_NO_WORKTREE: [409, 'handle: worker {handle} has no worktree (spawned without worktree: true)'],
  MERGES_NOT_YOURS: [403, '{field}: a worker queues only its own branch (fleet/{handle}); team leads queue any'],
  MERGES_TEST_LEAD_ONLY: [403, 'test: only a team lead chooses the test command'],
  MERGES_ALREADY_QUEUED: [409, 'branch: {branch} is already queued for {target} (entry {id})'],
  MERGES_NOT_CANCELLABLE: [409, 'Entry {id} is {status}: only a queued entry is cancelled'],
  MERGES_NOT_RETRYABLE: [409, 'Entry {id} is {status}: only a conflict, failed, refused or cancelled entry is retried'],
});

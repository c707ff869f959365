import { defineErrors } from '../../core/index.js';

export const workersErrors = defineErrors({
  WORKERS_NOT_FOUND: [404, 'Worker {handle} not found'],
  WORKERS_EXISTS: [409, 'Worker {handle} already exists'],
  WORKERS_HANDLE_IS_AGENT: [
    409,
    'handle: {handle} is already an agent of your team ({agentType}); a worker needs a handle of its own',
  ],
  WORKERS_ALREADY_QUEUED: [409, 'Worker {handle} is already queued'],
  WORKERS_NOT_RUNNING: [409, 'Worker {handle} is not running ({state})'],
  WORKERS_EXTERNAL: [409, 'Worker {handle} is external: reach it by mail or a direct message'],
  WORKERS_NOT_EXTERNAL: [409, 'Worker {handle} runs in the fleet: its output comes from its pane'],
  WORKERS_INPUT_REFUSED: [409, 'Worker {handle} did not take the message: {reason}'],
  WORKERS_START_FAILED: [500, 'Could not start worker {handle}'],
  WORKERS_UNKNOWN_ADAPTER: [400, 'adapter: no adapter {adapter} (available: {available})'],
  WORKERS_UNENFORCEABLE: [
    409,
    'adapter: {adapter} workers cannot be held to the {guard} rules, and {guard} is strict: only claude may run',
  ],
  WORKERS_RELATIVE_DIR: [400, 'workingDir: must be an absolute path'],
  WORKERS_NOT_A_DIR: [400, 'workingDir: {path} is not a directory'],
  WORKERS_OUTPUT_REQUIRED: [400, 'output: is required (or lines)'],
  WORKERS_QUEUED_NOT_FOUND: [404, 'Queued spawn {id} not found'],
  WORKERS_NOT_QUEUED: [409, 'Queued spawn {id} is {status}, not queued'],
  WORKERS_NO_WORKTREE: [409, 'Worker {handle} has no worktree (spawn it with worktree: true)'],
  WORKERS_NOT_A_REPO: [400, 'workingDir: {path} is not a git repository (a worktree needs one)'],
  WORKERS_BRANCH_IN_USE: [409, 'worktree: branch {branch} is checked out in another worktree of this repository'],
  WORKERS_NOTHING_TO_COMMIT: [409, 'Nothing to commit: the worktree has no changes'],
  WORKERS_NO_REMOTE: [
    409,
    'No git remote is configured for this repository: add one (git remote add origin <url>) to push',
  ],
  WORKERS_NO_REMOTE_FOR_PR: [409, 'No git remote is configured for this repository: a pull request needs one'],
  WORKERS_PROGRAM_MISSING: [409, '{program} is not installed'],
  WORKERS_GH_MISSING: [409, 'gh (the GitHub CLI) is not installed: install it to open pull requests'],
  WORKERS_PUSH_FAILED: [502, 'git push failed: {reason}'],
  WORKERS_PR_FAILED: [502, 'gh pr create failed: {reason}'],
});

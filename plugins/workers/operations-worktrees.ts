import * as v from 'valibot';
import { actAs, f, type Identity, operationsFor } from '../../core/index.js';
import { workersErrors } from './errors.js';
import type { WorkersApi } from './index.js';
import { commitWorktree, openPullRequest, pushWorktree, worktreeStatus } from './worktree.js';

const op = operationsFor<WorkersApi>();

async function worktreeOf(
  api: WorkersApi,
  caller: Identity,
  handle: string,
): Promise<{ path: string; branch: string }> {
  const row = await api.manager.require(caller.teamName, handle);
  if (!row.worktree_path || !row.worktree_branch) throw workersErrors.WORKERS_NO_WORKTREE({ handle });
  return { path: row.worktree_path, branch: row.worktree_branch };
}

export const commitInWorktree = op({
  name: 'commitInWorktree',
  summary: 'Commit everything in a worker’s worktree (your own, or, for a lead, a worker’s) with a message',
  access: 'agent',
  input: v.object({ handle: v.optional(f.handle), message: f.text({ min: 1, max: 1000 }) }),
  http: { method: 'POST', path: '/orchestrate/worktree/:handle/commit' },
  tools: [{ name: 'worktree_commit' }],
  async run({ input, caller, api }) {
    const handle = input.handle ?? caller.handle;
    actAs(caller, { handle }, 'handle');
    return commitWorktree((await worktreeOf(api, caller, handle)).path, input.message);
  },
});

export const pushBranch = op({
  name: 'pushBranch',
  summary: 'Push a worker’s branch (fleet/<handle>) to the repository’s remote',
  access: 'lead',
  input: v.object({ handle: f.handle }),
  http: { method: 'POST', path: '/orchestrate/worktree/:handle/push' },
  tools: [{ name: 'worktree_push' }],
  async run({ input, caller, api }) {
    const tree = await worktreeOf(api, caller, input.handle);
    return pushWorktree(tree.path, tree.branch);
  },
});

export const openPr = op({
  name: 'openPr',
  summary: 'Open a pull request for a worker’s branch with gh',
  access: 'lead',
  input: v.object({
    handle: f.handle,
    title: f.text({ min: 1, max: 200 }),
    body: f.text({ min: 1, max: 10_000 }),
    base: v.optional(
      v.pipe(v.string('must be a string'), v.regex(/^[A-Za-z0-9._/-]{1,100}$/, 'must be a branch name')),
    ),
  }),
  http: { method: 'POST', path: '/orchestrate/worktree/:handle/pr' },
  tools: [{ name: 'worktree_pr' }],
  async run({ input, caller, api }) {
    const tree = await worktreeOf(api, caller, input.handle);
    return openPullRequest(tree.path, tree.branch, input);
  },
});

export const worktreeState = op({
  name: 'worktreeState',
  summary: 'Branch and changed files of a worker’s worktree',
  access: 'agent',
  input: v.object({ handle: f.handle }),
  http: { method: 'GET', path: '/orchestrate/worktree/:handle/status' },
  run: async ({ input, caller, api }) => worktreeStatus((await worktreeOf(api, caller, input.handle)).path),
});

export const worktreeOperations = [commitInWorktree, pushBranch, openPr, worktreeState];

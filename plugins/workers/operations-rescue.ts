import * as v from 'valibot';
import { f, operationsFor } from '../../core/index.js';
import type { WorkersApi } from './index.js';

const op = operationsFor<WorkersApi>();

const absolutePath = v.pipe(
  f.text({ min: 1, max: 4096 }),
  v.check((path) => !path.includes('\0'), 'must not contain a NUL character'),
);

export const removeWorktree = op({
  name: 'removeWorktree',
  summary:
    'Remove an ended worker’s worktree; uncommitted changes, untracked files and unpushed commits are first ' +
    'saved to a rescue ref (refs/fleet/rescue/<handle>/<time>), and the answer says so',
  access: 'lead',
  input: v.object({ handle: f.handle }),
  http: { method: 'DELETE', path: '/orchestrate/worktree/:handle' },
  tools: [{ name: 'worktree_remove' }],
  run: ({ input, caller, api }) => api.rescues.removeWorktree(caller.teamName, input.handle, caller.handle, 'remove'),
});

export const cleanupWorktrees = op({
  name: 'cleanupWorktrees',
  summary: 'Remove the worktree of every ended worker of your team, each rescued first when it holds unsaved work',
  access: 'lead',
  input: v.object({}),
  http: { method: 'POST', path: '/orchestrate/worktrees/cleanup' },
  run: ({ caller, api }) => api.rescues.cleanup(caller.teamName, caller.handle),
});

export const listRescues = op({
  name: 'listRescues',
  summary: 'Rescues of your team’s worktrees (newest first): the ref, its commit and what it held',
  access: 'agent',
  input: v.object({ handle: v.optional(f.handle) }),
  http: { method: 'GET', path: '/orchestrate/rescue' },
  tools: [{ name: 'rescue_list' }],
  run: ({ input, caller, api }) => api.rescues.list(caller.teamName, input.handle),
});

export const restoreRescue = op({
  name: 'restoreRescue',
  summary:
    'Restore a rescue into a new worktree on a new branch (fleet/<handle>) at the rescued HEAD, its changes ' +
    'uncommitted and its untracked files untracked; never over an existing directory',
  access: 'lead',
  input: v.object({ id: f.serialId, handle: v.optional(f.handle), path: v.optional(absolutePath) }),
  http: { method: 'POST', path: '/orchestrate/rescue/:id/restore' },
  tools: [{ name: 'rescue_restore' }],
  run: ({ input, caller, api }) =>
    api.rescues.restore(caller.teamName, input.id, { handle: input.handle, path: input.path }, caller.handle),
});

export const rescueOperations = [removeWorktree, cleanupWorktrees, listRescues, restoreRescue];

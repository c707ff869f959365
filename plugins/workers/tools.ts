import * as v from 'valibot';
import { defineTool, forbidden, handleSchema, conflict, type ToolSpec } from '../../core/index.js';
import type { WorkerManager } from './manager.js';
import type { WorkersOptions } from './options.js';
import { spawnBody, spawnRequest } from './routes.js';
import { workerView } from './worker-store.js';
import { commitWorktree, openPullRequest, pushWorktree } from './worktree.js';

const spawnArgs = v.object({
  handle: handleSchema,
  prompt: v.optional(v.pipe(v.string('must be a string'), v.maxLength(50_000, 'must be at most 50000 characters'))),
  workingDir: v.optional(v.pipe(v.string('must be a string'), v.maxLength(500, 'must be at most 500 characters'))),
  adapter: v.optional(v.string()),
  model: v.optional(v.string()),
  worktree: v.optional(v.boolean('must be true or false')),
});

const toBody = (args: v.InferOutput<typeof spawnArgs>): v.InferOutput<typeof spawnBody> => ({
  handle: args.handle,
  initialPrompt: args.prompt,
  workingDir: args.workingDir,
  adapter: args.adapter,
  model: args.model,
  worktree: args.worktree,
});

export function workerTools(manager: WorkerManager, options: () => WorkersOptions, maxWorkers: () => number): ToolSpec<any>[] {
  const worktreeOf = async (teamName: string, handle: string) => {
    const row = await manager.require(teamName, handle);
    if (!row.worktree_path || !row.worktree_branch) throw conflict(`Worker ${handle} has no worktree (spawn it with worktree: true)`);
    return { path: row.worktree_path, branch: row.worktree_branch };
  };
  return [
    defineTool({
      name: 'team_spawn',
      description: 'Spawn a worker (Claude Code by default) in its own tmux pane, with an initial prompt; queued when the fleet is full.',
      lead: true,
      input: spawnArgs,
      handler: async (args, caller) => manager.spawn(spawnRequest(caller, toBody(args), options()), caller, maxWorkers()),
    }),
    defineTool({
      name: 'team_dismiss',
      description: 'Stop a worker: its agent, everything it started, and its pane.',
      lead: true,
      input: v.object({ handle: handleSchema }),
      handler: (args, caller) => manager.dismiss(caller.teamName, args.handle),
    }),
    defineTool({
      name: 'team_workers',
      description: 'Workers of your team with their state (starting, ready, working, idle, stopped, failed), health, cost and last result.',
      input: v.object({}),
      handler: async (_args, caller) => (await manager.store.listTeam(caller.teamName)).map(workerView),
    }),
    defineTool({
      name: 'worktree_commit',
      description: 'Commit everything in your worktree (or, for a lead, a worker’s) with a message.',
      input: v.object({ message: v.pipe(v.string('must be a string'), v.minLength(1, 'is required'), v.maxLength(1000, 'must be at most 1000 characters')), handle: v.optional(handleSchema) }),
      async handler(args, caller) {
        const handle = args.handle ?? caller.handle;
        if (handle !== caller.handle && caller.agentType !== 'team-lead') throw forbidden('handle: only the worker itself or a team lead may commit in its worktree');
        return commitWorktree((await worktreeOf(caller.teamName, handle)).path, args.message);
      },
    }),
    defineTool({
      name: 'worktree_push',
      description: 'Push a worker’s branch (fleet/<handle>) to the repository’s remote.',
      lead: true,
      input: v.object({ handle: handleSchema }),
      async handler(args, caller) {
        const tree = await worktreeOf(caller.teamName, args.handle);
        return pushWorktree(tree.path, tree.branch);
      },
    }),
    defineTool({
      name: 'worktree_pr',
      description: 'Open a pull request for a worker’s branch with gh.',
      lead: true,
      input: v.object({
        handle: handleSchema,
        title: v.pipe(v.string('must be a string'), v.minLength(1, 'is required'), v.maxLength(200, 'must be at most 200 characters')),
        body: v.pipe(v.string('must be a string'), v.minLength(1, 'is required'), v.maxLength(10_000, 'must be at most 10000 characters')),
        base: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z0-9._/-]{1,100}$/, 'must be a branch name'))),
      }),
      async handler(args, caller) {
        const tree = await worktreeOf(caller.teamName, args.handle);
        return openPullRequest(tree.path, tree.branch, args);
      },
    }),
    defineTool({
      name: 'spawn_request',
      description: 'Queue a worker spawn; it starts as soon as a worker slot is free.',
      lead: true,
      input: spawnArgs,
      async handler(args, caller) {
        const id = await manager.enqueue(spawnRequest(caller, toBody(args), options()), caller.handle);
        await manager.drainQueue(maxWorkers());
        return manager.queueItem(caller.teamName, id);
      },
    }),
    defineTool({
      name: 'spawn_status',
      description: 'One queued spawn (by id), or the queue of your team.',
      input: v.object({ id: v.optional(v.pipe(v.number('must be a number'), v.integer('must be a whole number'), v.minValue(1, 'must be at least 1'))) }),
      handler: (args, caller) => (args.id ? manager.queueItem(caller.teamName, args.id) : manager.queueStatus(caller.teamName, maxWorkers())),
    }),
    defineTool({
      name: 'spawn_cancel',
      description: 'Cancel a queued spawn.',
      lead: true,
      input: v.object({ id: v.pipe(v.number('must be a number'), v.integer('must be a whole number'), v.minValue(1, 'must be at least 1')) }),
      handler: (args, caller) => manager.cancelQueued(caller.teamName, args.id),
    }),
  ];
}

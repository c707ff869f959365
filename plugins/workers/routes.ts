import { existsSync, statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import * as v from 'valibot';
import { badRequest, conflict, forbidden, handleSchema, type Identity, intString } from '../../core/index.js';
import type { PluginRouter } from '../../core/http/plugin-router.js';
import type { WorkerManager } from './manager.js';
import type { WorkersOptions } from './options.js';
import { type SpawnRequest, workerView } from './worker-store.js';
import { commitWorktree, openPullRequest, pushWorktree, worktreeStatus } from './worktree.js';

export const spawnBody = v.object({
  handle: handleSchema,
  teamName: v.optional(handleSchema),
  workingDir: v.optional(v.pipe(v.string('must be a string'), v.maxLength(500, 'must be at most 500 characters'))),
  initialPrompt: v.optional(v.pipe(v.string('must be a string'), v.maxLength(50_000, 'must be at most 50000 characters'))),
  adapter: v.optional(v.pipe(v.string(), v.regex(/^[a-z][a-z0-9-]*$/, 'must be claude or a configured command name'))),
  model: v.optional(v.pipe(v.string(), v.maxLength(100, 'must be at most 100 characters'))),
  worktree: v.optional(v.boolean('must be true or false')),
});

/** Turn a spawn body into a request the manager can run, or a 400 naming the field. */
export function spawnRequest(identity: Identity, body: v.InferOutput<typeof spawnBody>, options: WorkersOptions): SpawnRequest {
  if (body.teamName !== undefined && body.teamName !== identity.teamName) throw forbidden(`teamName: you lead team ${identity.teamName}, not ${body.teamName}`);
  const adapter = body.adapter ?? options.defaultAdapter;
  if (adapter !== 'claude' && !options.commands[adapter]) {
    throw badRequest(`adapter: no adapter ${adapter} (available: claude${Object.keys(options.commands).map((name) => `, ${name}`).join('')})`);
  }
  const cwd = body.workingDir ?? options.workingDir ?? process.cwd();
  if (!isAbsolute(cwd)) throw badRequest('workingDir: must be an absolute path');
  if (!existsSync(cwd) || !statSync(cwd).isDirectory()) throw badRequest(`workingDir: ${cwd} is not a directory`);
  return { handle: body.handle, teamName: identity.teamName, adapter, prompt: body.initialPrompt, cwd, model: body.model, worktree: body.worktree };
}

const handleParams = v.object({ handle: handleSchema });

export function registerWorkerRoutes(router: PluginRouter, manager: WorkerManager, options: () => WorkersOptions, maxWorkers: () => number): void {
  router.post('/orchestrate/spawn', { summary: 'Spawn a worker in a tmux pane (202 with a queue position when maxWorkers are live)', auth: 'lead', body: spawnBody, status: 201 }, async ({ body, identity }, ctx) => {
    const result = await manager.spawn(spawnRequest(identity, body, options()), identity, maxWorkers());
    if (result.queued) {
      ctx.status = 202;
      return { queued: true, id: result.id, position: result.position, handle: body.handle };
    }
    ctx.status = 201;
    return result.worker;
  });

  router.get('/orchestrate/workers', { summary: 'Workers of your team with state, health, session and result' }, async ({ identity }) => {
    return (await manager.store.listTeam(identity.teamName)).map(workerView);
  });

  router.post(
    '/orchestrate/send/:handle',
    { summary: 'Send a message to a running worker', params: handleParams, body: v.object({ message: v.pipe(v.string('must be a string'), v.minLength(1, 'is required'), v.maxLength(50_000, 'must be at most 50000 characters')) }) },
    async ({ params, body, identity }) => {
      await manager.send(identity.teamName, params.handle, body.message);
      return { success: true, handle: params.handle };
    },
  );

  router.get(
    '/orchestrate/output/:handle',
    { summary: 'A worker’s output lines: the latest, or from a cursor (byte offset) onwards', params: handleParams, query: v.object({ cursor: v.optional(intString(0, Number.MAX_SAFE_INTEGER)), limit: v.optional(intString(1, 1000)) }) },
    ({ params, query, identity }) => manager.output(identity.teamName, params.handle, query.cursor, query.limit ?? 100),
  );

  router.post(
    '/orchestrate/workers/register',
    {
      summary: 'Register an external worker (runs elsewhere; pushes its output)',
      auth: 'lead',
      status: 201,
      body: v.object({ handle: handleSchema, teamName: v.optional(handleSchema), format: v.optional(v.picklist(['ndjson', 'text'], 'must be ndjson or text'), 'text') }),
    },
    async ({ body, identity }) => {
      if (body.teamName !== undefined && body.teamName !== identity.teamName) throw forbidden(`teamName: you lead team ${identity.teamName}, not ${body.teamName}`);
        return workerView(await manager.registerExternal({ handle: body.handle, teamName: identity.teamName, format: body.format }, identity.handle));
    },
  );

  router.post(
    '/orchestrate/workers/:handle/output',
    {
      summary: 'Push output lines of an external worker (the worker itself or a team lead)',
      params: handleParams,
      body: v.object({
        output: v.optional(v.pipe(v.string('must be a string'), v.maxLength(1_000_000, 'must be at most 1000000 characters'))),
        lines: v.optional(v.pipe(v.array(v.string('must be strings'), 'must be a list of lines'), v.maxLength(10_000, 'must be at most 10000 lines'))),
      }),
    },
    async ({ params, body, identity }) => {
      if (identity.handle !== params.handle && identity.agentType !== 'team-lead') throw forbidden('handle: only the worker itself or a team lead may push its output');
      const text = body.output ?? body.lines?.join('\n');
      if (!text) throw badRequest('output: is required (or lines)');
      return manager.appendOutput(identity.teamName, params.handle, text);
    },
  );

  router.post('/orchestrate/dismiss/:handle', { summary: 'Stop a worker: its whole process group and its window', auth: 'lead', params: handleParams }, ({ params, identity }) => manager.dismiss(identity.teamName, params.handle));

  const worktreeOf = async (identity: Identity, handle: string) => {
    const row = await manager.require(identity.teamName, handle);
    if (!row.worktree_path || !row.worktree_branch) throw conflict(`Worker ${handle} has no worktree (spawn it with worktree: true)`);
    return { path: row.worktree_path, branch: row.worktree_branch };
  };
  const selfOrLead = (identity: Identity, handle: string) => {
    if (identity.handle !== handle && identity.agentType !== 'team-lead') throw forbidden('handle: only the worker itself or a team lead may commit in its worktree');
  };

  router.post(
    '/orchestrate/worktree/:handle/commit',
    { summary: 'Commit everything in a worker’s worktree', params: handleParams, body: v.object({ message: v.pipe(v.string('must be a string'), v.minLength(1, 'is required'), v.maxLength(1000, 'must be at most 1000 characters')) }) },
    async ({ params, body, identity }) => {
      selfOrLead(identity, params.handle);
      return commitWorktree((await worktreeOf(identity, params.handle)).path, body.message);
    },
  );

  router.post('/orchestrate/worktree/:handle/push', { summary: 'Push a worker’s branch', auth: 'lead', params: handleParams }, async ({ params, identity }) => {
    const tree = await worktreeOf(identity, params.handle);
    return pushWorktree(tree.path, tree.branch);
  });

  router.post(
    '/orchestrate/worktree/:handle/pr',
    {
      summary: 'Open a pull request for a worker’s branch (gh)',
      auth: 'lead',
      params: handleParams,
      body: v.object({
        title: v.pipe(v.string('must be a string'), v.minLength(1, 'is required'), v.maxLength(200, 'must be at most 200 characters')),
        body: v.pipe(v.string('must be a string'), v.minLength(1, 'is required'), v.maxLength(10_000, 'must be at most 10000 characters')),
        base: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z0-9._/-]{1,100}$/, 'must be a branch name'))),
      }),
    },
    async ({ params, body, identity }) => {
      const tree = await worktreeOf(identity, params.handle);
      return openPullRequest(tree.path, tree.branch, body);
    },
  );

  router.get('/orchestrate/worktree/:handle/status', { summary: 'Branch and changed files of a worker’s worktree', params: handleParams }, async ({ params, identity }) => {
    return worktreeStatus((await worktreeOf(identity, params.handle)).path);
  });

  router.post('/spawn-queue', { summary: 'Queue a spawn: it starts when a worker slot is free', auth: 'lead', body: spawnBody, status: 202 }, async ({ body, identity }, ctx) => {
    const id = await manager.enqueue(spawnRequest(identity, body, options()), identity.handle);
    await manager.drainQueue(maxWorkers());
    ctx.status = 202;
    return manager.queueItem(identity.teamName, id);
  });

  router.get('/spawn-queue/status', { summary: 'Queued spawns of your team, live workers and the limit' }, async ({ identity }) => manager.queueStatus(identity.teamName, maxWorkers()));

  router.get('/spawn-queue/:id', { summary: 'One queued spawn', params: v.object({ id: intString(1, Number.MAX_SAFE_INTEGER) }) }, ({ params, identity }) => manager.queueItem(identity.teamName, params.id));

  router.delete('/spawn-queue/:id', { summary: 'Cancel a queued spawn', auth: 'lead', params: v.object({ id: intString(1, Number.MAX_SAFE_INTEGER) }) }, ({ params, identity }) => manager.cancelQueued(identity.teamName, params.id));

}

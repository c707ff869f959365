import * as v from 'valibot';
import { badRequest, handleSchema, intString, notFound, uidSchema, assertOwnTeam } from '../../core/index.js';
import type { PluginRouter } from '../../core/http/plugin-router.js';
import type { TaskOperations } from './operations.js';
import { TASK_STATUSES } from './task-service.js';

export const taskIdSchema = v.pipe(v.string('must be a string'), v.uuid('must be a task id (a UUID)'));
const statusSchema = v.picklist(TASK_STATUSES, `must be one of ${TASK_STATUSES.join(', ')}`);
const blockedBySchema = v.pipe(v.array(taskIdSchema, 'must be a list of task ids'), v.maxLength(100, 'must list at most 100 tasks'));
const flag = v.optional(v.picklist(['true', 'false'], 'must be true or false'));

export function registerTaskRoutes(router: PluginRouter, ops: TaskOperations): void {
  router.post(
    '/tasks',
    {
      summary: 'Create a task (assigned to toHandle with a DM, or unowned for team_claim)',
      status: 200,
      body: v.object({
        fromUid: v.optional(uidSchema),
        toHandle: v.optional(handleSchema),
        teamName: v.optional(handleSchema),
        subject: v.pipe(v.string('must be a string'), v.minLength(3, 'must be 3–200 characters'), v.maxLength(200, 'must be 3–200 characters')),
        description: v.optional(v.nullable(v.pipe(v.string('must be a string'), v.maxLength(10_000, 'must be at most 10000 characters')))),
        blockedBy: v.optional(blockedBySchema),
      }),
    },
    async ({ body, identity }) => {
      assertOwnTeam(identity, body.teamName);
      return ops.createTask(identity, body);
    },
  );

  router.get('/tasks/:taskId', { summary: 'A task of your team', params: v.object({ taskId: taskIdSchema }) }, async ({ params, identity }) => {
    return ops.tasks.require(identity.teamName, params.taskId);
  });

  router.patch(
    '/tasks/:taskId',
    {
      summary: 'Change a task’s status or blockers (its owner, its creator, or a team lead)',
      params: v.object({ taskId: taskIdSchema }),
      body: v.object({ status: v.optional(statusSchema), blockedBy: v.optional(blockedBySchema) }),
    },
    async ({ params, body, identity }) => {
      if (body.status === undefined && body.blockedBy === undefined) throw badRequest('status: is required (or blockedBy)');
      return ops.updateTask(identity, params.taskId, body);
    },
  );

  router.get(
    '/teams/:teamName/tasks',
    {
      summary: 'Tasks of your team, oldest first; filter by status, owner, unassigned, or ready (open with every blocker resolved)',
      params: v.object({ teamName: handleSchema }),
      query: v.object({ status: v.optional(statusSchema), owner: v.optional(handleSchema), unassigned: flag, ready: flag, limit: v.optional(intString(1, 1000)), offset: v.optional(intString(0, 10_000_000)) }),
    },
    async ({ params, query, identity }) => {
      if (params.teamName !== identity.teamName) throw notFound(`Team ${params.teamName} not found`);
      return ops.tasks.list(identity.teamName, {
        status: query.status,
        ownerHandle: query.owner,
        unassigned: query.unassigned === 'true',
        ready: query.ready === 'true',
        limit: query.limit ?? 100,
        offset: query.offset ?? 0,
      });
    },
  );
}

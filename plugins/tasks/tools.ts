import * as v from 'valibot';
import { defineTool, handleSchema, type Identity, notFound, type ToolSpec } from '../../core/index.js';
import type { TaskOperations } from './operations.js';
import { taskIdSchema } from './routes-tasks.js';
import { TASK_STATUSES, type TaskQuery } from './task-service.js';
import { batchIdSchema, workItemIdSchema, workItemStatusSchema } from './routes-work-items.js';

const subject = v.pipe(v.string('must be a string'), v.minLength(3, 'must be 3–200 characters'), v.maxLength(200, 'must be 3–200 characters'));
const description = v.optional(v.pipe(v.string('must be a string'), v.maxLength(10_000, 'must be at most 10000 characters')));
const blockedBy = v.optional(v.pipe(v.array(taskIdSchema, 'must be a list of task ids'), v.maxLength(100, 'must list at most 100 tasks')));
const TASK_FILTERS = ['all', 'mine', 'unassigned', 'ready', ...TASK_STATUSES] as const;

function taskQuery(filter: (typeof TASK_FILTERS)[number] | undefined, caller: Identity): TaskQuery {
  const query: TaskQuery = { limit: 200, offset: 0 };
  if (filter === 'mine') query.ownerHandle = caller.handle;
  else if (filter === 'unassigned') query.unassigned = true;
  else if (filter === 'ready') query.ready = true;
  else if (filter && filter !== 'all') query.status = filter;
  return query;
}

export function taskTools(ops: TaskOperations): ToolSpec<any>[] {
  const teamTasks = defineTool({
    name: 'team_tasks',
    description: 'List your team’s tasks: all (default), mine, unassigned, ready (open with every blocker resolved), or by status.',
    input: v.object({ filter: v.optional(v.picklist(TASK_FILTERS, `must be one of ${TASK_FILTERS.join(', ')}`)) }),
    handler: (args, caller) => ops.tasks.list(caller.teamName, taskQuery(args.filter, caller)),
  });
  const updateTask = defineTool({
    name: 'update_task',
    description: 'Set a task’s status (open, in_progress, resolved, blocked). Resolving needs its blockers resolved.',
    input: v.object({ task_id: taskIdSchema, status: v.picklist(TASK_STATUSES, `must be one of ${TASK_STATUSES.join(', ')}`) }),
    handler: (args, caller) => ops.updateTask(caller, args.task_id, { status: args.status }),
  });

  return [
    teamTasks,
    { ...teamTasks, name: 'list_tasks', description: `Alias of team_tasks. ${teamTasks.description}` },
    defineTool({
      name: 'team_assign',
      description: 'Assign a new task to an agent of your team; they get it as a [TASK] direct message.',
      lead: true,
      input: v.object({ agent: handleSchema, task: subject, description, blocked_by: blockedBy }),
      handler: (args, caller) => ops.createTask(caller, { toHandle: args.agent, subject: args.task, description: args.description, blockedBy: args.blocked_by }),
    }),
    defineTool({
      name: 'create_task',
      description: 'Create a task, assigned to `to` or left unowned for someone to team_claim.',
      input: v.object({ to: v.optional(handleSchema), subject, description, blocked_by: blockedBy }),
      handler: (args, caller) => ops.createTask(caller, { toHandle: args.to, subject: args.subject, description: args.description, blockedBy: args.blocked_by }),
    }),
    defineTool({
      name: 'team_complete',
      description: 'Mark a task resolved (refused while its blockers are unresolved).',
      input: v.object({ task_id: taskIdSchema }),
      handler: (args, caller) => ops.updateTask(caller, args.task_id, { status: 'resolved' }),
    }),
    updateTask,
    defineTool({
      name: 'team_claim',
      description: 'Take an open, unowned, unblocked task (the given one, or the oldest ready one). Exactly one of several claimers wins.',
      input: v.object({ task_id: v.optional(taskIdSchema) }),
      handler: (args, caller) => ops.claim(caller, args.task_id),
    }),
    defineTool({
      name: 'workitem_create',
      description: 'Create a work item with a readable id (wi-xxxxx).',
      input: v.object({ title: v.pipe(v.string('must be a string'), v.minLength(1, 'is required'), v.maxLength(200, 'must be at most 200 characters')), description, assignedTo: v.optional(handleSchema), batchId: v.optional(batchIdSchema) }),
      handler: (args, caller) => ops.workItems.create(caller.teamName, caller.handle, args),
    }),
    defineTool({
      name: 'workitem_update',
      description: 'Change a work item’s status, with an optional reason (kept in its history).',
      input: v.object({ workitem_id: workItemIdSchema, status: workItemStatusSchema, reason: v.optional(v.pipe(v.string(), v.maxLength(1000, 'must be at most 1000 characters'))) }),
      handler: (args, caller) => ops.workItems.setStatus(caller.teamName, args.workitem_id, args.status, caller.handle, args.reason),
    }),
    defineTool({
      name: 'workitem_list',
      description: 'List work items: all (default), mine, or by status; optionally of one batch.',
      input: v.object({
        filter: v.optional(v.picklist(['all', 'mine', 'pending', 'in_progress', 'completed', 'blocked', 'cancelled'], 'must be all, mine or a status')),
        batch_id: v.optional(batchIdSchema),
      }),
      handler: (args, caller) =>
        ops.workItems.list(caller.teamName, {
          assignee: args.filter === 'mine' ? caller.handle : undefined,
          status: args.filter && args.filter !== 'all' && args.filter !== 'mine' ? args.filter : undefined,
          batchId: args.batch_id,
        }),
    }),
    defineTool({
      name: 'batch_create',
      description: 'Bundle work items into a batch.',
      input: v.object({ name: v.pipe(v.string('must be a string'), v.minLength(1, 'is required'), v.maxLength(100, 'must be at most 100 characters')), workitem_ids: v.optional(v.array(workItemIdSchema, 'must be a list of work item ids')) }),
      handler: (args, caller) => ops.workItems.createBatch(caller.teamName, caller.handle, args.name, args.workitem_ids ?? []),
    }),
    defineTool({
      name: 'batch_dispatch',
      description: 'Dispatch a batch to a running worker: its items are assigned and sent to the worker.',
      lead: true,
      input: v.object({ batch_id: batchIdSchema, worker: handleSchema }),
      async handler(args, caller) {
        const batch = await ops.workItems.getBatch(caller.teamName, args.batch_id);
        if (!batch) throw notFound('Batch not found');
        return ops.dispatchBatch(caller, args.batch_id, args.worker);
      },
    }),
  ];
}

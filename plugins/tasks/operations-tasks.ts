import * as v from 'valibot';
import { actAs, f, type Identity, isLead, operationsFor, sameTeam } from '../../core/index.js';
import type { TeamAgent } from '../auth/index.js';
import { tasksErrors } from './errors.js';
import { blockedBy, description, subject, taskId, taskPriority, taskStatus } from './fields.js';
import type { TasksApi } from './index.js';
import { TASK_STATUSES, type TaskQuery, type TeamTask } from './task-service.js';

const op = operationsFor<TasksApi>();

async function agentOf(api: TasksApi, caller: Identity, handle: string): Promise<TeamAgent> {
  const agent = await api.auth().agents.findByHandle(caller.teamName, handle);
  if (!agent) throw tasksErrors.TASKS_AGENT_NOT_FOUND({ handle });
  return agent;
}

/** The creator a request names (`fromUid`): the caller, or for a lead any agent of its team. */
async function creatorOf(api: TasksApi, caller: Identity, fromUid: string | undefined): Promise<TeamAgent> {
  const uid = fromUid ?? caller.uid;
  actAs(caller, { uid }, 'fromUid');
  const agent = await api.auth().agents.get(uid);
  if (!agent || agent.teamName !== caller.teamName) throw tasksErrors.TASKS_SENDER_NOT_FOUND();
  return agent;
}

/** Its owner, its creator and the team lead may change a task. */
async function changeableTask(api: TasksApi, caller: Identity, id: string): Promise<TeamTask> {
  const task = await api.tasks.require(caller.teamName, id);
  if (!isLead(caller) && task.ownerUid !== caller.uid && task.createdByUid !== caller.uid)
    throw tasksErrors.TASKS_NOT_EDITOR();
  return task;
}

export const createTask = op({
  name: 'createTask',
  summary: 'Create a task: assigned to toHandle (who gets a [TASK] direct message), or unowned for team_claim',
  access: 'agent',
  input: v.object({
    fromUid: v.optional(f.uid),
    toHandle: v.optional(f.handle),
    teamName: v.optional(f.handle),
    subject,
    description,
    blockedBy: v.optional(blockedBy),
    priority: v.optional(taskPriority),
  }),
  http: { method: 'POST', path: '/tasks' },
  tools: [
    { name: 'create_task', rename: { to: 'toHandle', blocked_by: 'blockedBy' }, omit: ['fromUid', 'teamName'] },
    {
      name: 'team_assign',
      description: 'Assign a new task to an agent of your team; they get it as a [TASK] direct message.',
      access: 'lead',
      rename: { agent: 'toHandle', task: 'subject', blocked_by: 'blockedBy' },
      omit: ['fromUid', 'teamName'],
      required: ['toHandle'],
    },
  ],
  async run({ input, caller, api }) {
    const teamName = sameTeam(caller, input.teamName, { deny: 403 });
    const creator = await creatorOf(api, caller, input.fromUid);
    const owner = input.toHandle ? await agentOf(api, caller, input.toHandle) : undefined;
    return api.tasks.create({
      teamName,
      creator,
      owner,
      subject: input.subject,
      description: input.description,
      blockedBy: input.blockedBy,
      priority: input.priority,
    });
  },
});

export const getTask = op({
  name: 'getTask',
  summary: 'A task of your team',
  access: 'agent',
  input: v.object({ taskId }),
  http: { method: 'GET', path: '/tasks/:taskId' },
  run: ({ input, caller, api }) => api.tasks.require(caller.teamName, input.taskId),
});

export const updateTask = op({
  name: 'updateTask',
  summary:
    'Change a task’s status, blockers or priority (its owner, its creator, or a team lead); ' +
    'resolving needs every blocker resolved',
  access: 'agent',
  input: v.object({
    taskId,
    status: v.optional(taskStatus),
    blockedBy: v.optional(blockedBy),
    priority: v.optional(taskPriority),
  }),
  http: { method: 'PATCH', path: '/tasks/:taskId' },
  tools: [
    { name: 'update_task', rename: { task_id: 'taskId', blocked_by: 'blockedBy' }, required: ['status'] },
    {
      name: 'team_complete',
      description: 'Mark a task resolved (refused while its blockers are unresolved).',
      rename: { task_id: 'taskId' },
      omit: ['blockedBy', 'priority'],
      fixed: { status: 'resolved' },
    },
  ],
  async run({ input, caller, api }) {
    if (input.status === undefined && input.blockedBy === undefined && input.priority === undefined)
      throw tasksErrors.TASKS_NOTHING_TO_CHANGE({}, { field: 'status' });
    await changeableTask(api, caller, input.taskId);
    let task: TeamTask | undefined;
    // Resolve with new blockers: check them before writing any, so a refused change writes nothing.
    if (input.blockedBy !== undefined && input.status === 'resolved')
      await api.tasks.assertResolvable([...new Set(input.blockedBy)]);
    if (input.blockedBy !== undefined)
      task = await api.tasks.setBlockers(caller.teamName, input.taskId, input.blockedBy);
    if (input.priority !== undefined) task = await api.tasks.setPriority(caller.teamName, input.taskId, input.priority);
    if (input.status !== undefined)
      task = await api.tasks.setStatus(caller.teamName, input.taskId, input.status, {
        handle: caller.handle,
        type: caller.agentType,
      });
    return task ?? api.tasks.require(caller.teamName, input.taskId);
  },
});

export const listTeamTasks = op({
  name: 'listTeamTasks',
  summary:
    'Tasks of your team, oldest first; ' +
    'filter by status, owner, unassigned, or ready (open with every blocker resolved)',
  access: 'agent',
  input: v.object({
    teamName: f.handle,
    status: v.optional(taskStatus),
    owner: v.optional(f.handle),
    unassigned: v.optional(f.flag),
    ready: v.optional(f.flag),
    limit: v.optional(f.int(1, 1000)),
    offset: v.optional(f.int(0, 10_000_000)),
  }),
  http: { method: 'GET', path: '/teams/:teamName/tasks' },
  run({ input, caller, api }) {
    const teamName = sameTeam(caller, input.teamName, { deny: 404 });
    return api.tasks.list(teamName, {
      status: input.status,
      ownerHandle: input.owner,
      unassigned: input.unassigned === true,
      ready: input.ready === true,
      limit: input.limit ?? 100,
      offset: input.offset ?? 0,
    });
  },
});

const TASK_FILTERS = ['all', 'mine', 'unassigned', 'ready', ...TASK_STATUSES] as const;

export const teamTasks = op({
  name: 'teamTasks',
  summary:
    'List your team’s tasks: all (default), mine, unassigned, ready (open with every blocker resolved), or by status.',
  access: 'agent',
  input: v.object({ filter: v.optional(f.oneOf(TASK_FILTERS)) }),
  tools: [
    { name: 'team_tasks' },
    { name: 'list_tasks', description: 'Alias of team_tasks: list your team’s tasks by filter.' },
  ],
  async run({ input, caller, api }) {
    const query: TaskQuery = { limit: 200, offset: 0 };
    if (input.filter === 'mine') query.ownerHandle = caller.handle;
    else if (input.filter === 'unassigned') query.unassigned = true;
    else if (input.filter === 'ready') query.ready = true;
    else if (input.filter && input.filter !== 'all') query.status = input.filter;
    // A worker's list is a suggestion: other plugins' rankers may reorder it (cold files first).
    return api.suggest(caller, await api.tasks.list(caller.teamName, query));
  },
});

export const claimTask = op({
  name: 'claimTask',
  summary:
    'Take an open, unowned, unblocked task (the given one, or the oldest ready one). ' +
    'Exactly one of several claimers wins.',
  access: 'agent',
  input: v.object({ taskId: v.optional(taskId) }),
  tools: [{ name: 'team_claim', rename: { task_id: 'taskId' } }],
  async run({ input, caller, api }) {
    const self = await api.auth().agents.get(caller.uid);
    if (!self) throw tasksErrors.TASKS_SENDER_NOT_FOUND();
    return api.tasks.claim(caller.teamName, self, input.taskId);
  },
});

export const assignTask = op({
  name: 'assignTask',
  summary:
    'Give an open, unowned task to an agent of your team (who gets the [TASK] direct message); ' +
    '409 when it already has an owner or is resolved',
  access: 'lead',
  input: v.object({ taskId, toHandle: f.handle }),
  http: { method: 'POST', path: '/tasks/:taskId/assign' },
  tools: [{ name: 'task_assign', rename: { task_id: 'taskId', to: 'toHandle' } }],
  async run({ input, caller, api }) {
    const owner = await agentOf(api, caller, input.toHandle);
    const by = await creatorOf(api, caller, undefined);
    return api.tasks.assign(caller.teamName, { id: input.taskId, owner, by });
  },
});

export const taskOperations = [createTask, getTask, updateTask, listTeamTasks, teamTasks, claimTask, assignTask];

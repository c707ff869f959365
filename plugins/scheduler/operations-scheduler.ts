import * as v from 'valibot';
import { f, operationsFor } from '../../core/index.js';
import { catchUp, cronExpression, overlap, repository, scheduleId, scheduleName, tasks, timezone } from './fields.js';
import type { SchedulerApi } from './index.js';
import { actionSchema, OUTCOMES } from './schedules/action.js';

const op = operationsFor<SchedulerApi>();

export const getStatus = op({
  name: 'getStatus',
  summary:
    'Whether your team’s scheduler runs, its schedules (enabled ones), runs waiting or under way, and the next slot',
  access: 'agent',
  input: v.object({}),
  http: { method: 'GET', path: '/scheduler/status' },
  tools: [{ name: 'scheduler_status' }],
  run: ({ caller, api }) => api.status(caller.teamName),
});

export const startScheduler = op({
  name: 'startScheduler',
  summary:
    'Start your team’s scheduler (leads); starting it twice changes nothing. Slots while it was stopped are not ' +
    'caught up',
  access: 'lead',
  input: v.object({}),
  http: { method: 'POST', path: '/scheduler/start' },
  run: async ({ caller, api }) => {
    await api.setRunning(caller, true);
    return { message: 'Scheduler started', status: await api.status(caller.teamName) };
  },
});

export const stopScheduler = op({
  name: 'stopScheduler',
  summary:
    'Stop your team’s scheduler (leads): no schedule of the team fires until it is started; kept across restarts',
  access: 'lead',
  input: v.object({}),
  http: { method: 'POST', path: '/scheduler/stop' },
  run: async ({ caller, api }) => {
    await api.setRunning(caller, false);
    return { message: 'Scheduler stopped', status: await api.status(caller.teamName) };
  },
});

export const listSchedules = op({
  name: 'listSchedules',
  summary: 'Your team’s schedules, with their last run and next slot',
  access: 'agent',
  input: v.object({}),
  http: { method: 'GET', path: '/scheduler/schedules' },
  tools: [{ name: 'schedule_list' }],
  run: ({ caller, api }) => api.schedules.list(caller.teamName),
});

export const createSchedule = op({
  name: 'createSchedule',
  summary:
    'Create a schedule (leads): a cron expression (ranges, steps, lists, names; time zone), and tasks (template ' +
    'names) and/or an action (prompt, spawn, task, template, webhook, workflow, audit); catch-up and overlap policies',
  access: 'lead',
  input: v.object({
    name: scheduleName,
    cron: cronExpression,
    tasks: v.optional(tasks),
    action: v.optional(actionSchema),
    repository: v.optional(repository),
    enabled: v.optional(f.flag),
    timezone: v.optional(timezone),
    catchUp: v.optional(catchUp),
    overlap: v.optional(overlap),
  }),
  http: { method: 'POST', path: '/scheduler/schedules', status: 201 },
  tools: [{ name: 'schedule_create' }],
  run: async ({ input, caller, api }) => {
    const schedule = await api.schedules.create(caller, input);
    return { id: schedule.id, message: 'Schedule registered', schedule };
  },
});

export const getSchedule = op({
  name: 'getSchedule',
  summary: 'One schedule of your team',
  access: 'agent',
  input: v.object({ id: scheduleId }),
  http: { method: 'GET', path: '/scheduler/schedules/:id' },
  run: ({ input, caller, api }) => api.schedules.get(caller.teamName, input.id),
});

export const deleteSchedule = op({
  name: 'deleteSchedule',
  summary: 'Delete a schedule (leads); its runs stay in the history, runs not yet dispatched end skipped',
  access: 'lead',
  input: v.object({ id: scheduleId }),
  http: { method: 'DELETE', path: '/scheduler/schedules/:id' },
  tools: [{ name: 'schedule_delete' }],
  run: ({ input, caller, api }) => api.schedules.remove(caller, input.id),
});

export const enableSchedule = op({
  name: 'enableSchedule',
  summary: 'Enable a schedule (leads): it fires from its next slot (slots while disabled are not caught up)',
  access: 'lead',
  input: v.object({ id: scheduleId }),
  http: { method: 'PATCH', path: '/scheduler/schedules/:id/enable' },
  tools: [{ name: 'schedule_enable' }],
  run: ({ input, caller, api }) => api.schedules.setEnabled(caller, input.id, true),
});

export const disableSchedule = op({
  name: 'disableSchedule',
  summary: 'Disable a schedule (leads): read again at fire time, so a slot already written does not fire',
  access: 'lead',
  input: v.object({ id: scheduleId }),
  http: { method: 'PATCH', path: '/scheduler/schedules/:id/disable' },
  tools: [{ name: 'schedule_disable' }],
  run: ({ input, caller, api }) => api.schedules.setEnabled(caller, input.id, false),
});

export const loadDefaults = op({
  name: 'loadDefaults',
  summary: 'Load the five default schedules into your team (leads), disabled; by name, so loading again adds nothing',
  access: 'lead',
  input: v.object({}),
  http: { method: 'POST', path: '/scheduler/schedules/load-defaults' },
  run: ({ caller, api }) => api.schedules.loadDefaults(caller),
});

export const listRuns = op({
  name: 'listRuns',
  summary:
    'Your team’s runs, newest slot first: outcome (delivered, queued, refused, failed, skipped), reason, evidence, ' +
    'tokens and cost',
  access: 'agent',
  input: v.object({
    schedule: v.optional(scheduleId),
    outcome: v.optional(f.oneOf(OUTCOMES)),
    limit: v.optional(f.int(1, 1000)),
  }),
  http: { method: 'GET', path: '/scheduler/runs' },
  tools: [{ name: 'schedule_runs' }],
  run: ({ input, caller, api }) =>
    api.runs.list(caller.teamName, { schedule: input.schedule, outcome: input.outcome, limit: input.limit ?? 100 }),
});

export const schedulerOperations = [
  getStatus,
  startScheduler,
  stopScheduler,
  listSchedules,
  createSchedule,
  getSchedule,
  deleteSchedule,
  enableSchedule,
  disableSchedule,
  loadDefaults,
  listRuns,
];

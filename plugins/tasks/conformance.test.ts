import t from 'tap';
import { runConformance, type FixtureContext } from '../../test/kit/conformance.js';
import { startCoordination } from '../../test/kit/index.js';

/** A task of team alpha, created by its lead (owned by `toHandle` when given). */
const alphaTask = ({ alpha, call }: FixtureContext, subject: string, toHandle?: string) =>
  call(alpha.lead, 'POST', '/tasks', { subject, toHandle });
const alphaWorkItem = ({ alpha, call }: FixtureContext, title: string) =>
  call(alpha.lead, 'POST', '/workitems', { title });

t.test('tasks: every operation conforms (401, other teams, required fields, route and tool agree)', async (t) => {
  const fleet = await startCoordination(t);
  await runConformance(t, {
    fleet,
    plugin: 'tasks',
    fixtures: {
      createTask: async () => ({
        input: { toHandle: 'alpha-w1', subject: 'A task for alpha', description: 'details' },
      }),
      getTask: async (context) => {
        const task = await alphaTask(context, 'Secret alpha subject');
        return { input: { taskId: task.id }, secrets: ['Secret alpha subject'] };
      },
      updateTask: async (context) => {
        const task = await alphaTask(context, 'Alpha task to update', 'alpha-w1');
        return { input: { taskId: task.id, status: 'in_progress' }, secrets: ['Alpha task to update'] };
      },
      listTeamTasks: async (context) => {
        await alphaTask(context, 'Listed alpha task');
        return { input: { teamName: 'alpha', limit: 10 }, secrets: ['Listed alpha task'] };
      },
      teamTasks: async (context) => {
        await alphaTask(context, 'Alpha task in team_tasks');
        return { input: { filter: 'all' }, otherTeam: 'own', secrets: ['Alpha task in team_tasks'] };
      },
      claimTask: async (context) => {
        const task = await alphaTask(context, 'Alpha task to claim');
        return { input: { taskId: task.id }, as: 'worker', secrets: ['Alpha task to claim'] };
      },
      assignTask: async (context) => {
        const task = await alphaTask(context, 'Alpha task to assign');
        return { input: { taskId: task.id, toHandle: 'alpha-w1' }, secrets: ['Alpha task to assign'] };
      },
      createWorkItem: async () => ({ input: { title: 'A work item' }, otherTeam: 'own' }),
      listWorkItems: async (context) => {
        const item = await alphaWorkItem(context, 'Listed alpha work item');
        return { input: {}, otherTeam: 'own', secrets: ['Listed alpha work item', item.id] };
      },
      workItemList: async (context) => {
        const item = await alphaWorkItem(context, 'Alpha work item in workitem_list');
        return { input: { filter: 'all' }, otherTeam: 'own', secrets: ['Alpha work item in workitem_list', item.id] };
      },
      getWorkItem: async (context) => {
        const item = await alphaWorkItem(context, 'Secret alpha work item');
        return { input: { id: item.id }, secrets: ['Secret alpha work item'] };
      },
      updateWorkItem: async (context) => {
        const item = await alphaWorkItem(context, 'Alpha work item to update');
        return {
          input: { id: item.id, status: 'in_progress', reason: 'started' },
          secrets: ['Alpha work item to update'],
        };
      },
      createBatch: async (context) => {
        const item = await alphaWorkItem(context, 'Alpha work item to batch');
        return { input: { name: 'Alpha batch', workItemIds: [item.id] }, secrets: ['Alpha work item to batch'] };
      },
      listBatches: async ({ alpha, call }) => {
        const batch = await call(alpha.lead, 'POST', '/batches', { name: 'Listed alpha batch' });
        return { input: {}, otherTeam: 'own', secrets: ['Listed alpha batch', batch.id] };
      },
      getBatch: async ({ alpha, call }) => {
        const batch = await call(alpha.lead, 'POST', '/batches', { name: 'Secret alpha batch' });
        return { input: { id: batch.id }, secrets: ['Secret alpha batch'] };
      },
      dispatchBatch: async ({ alpha, call }) => {
        const batch = await call(alpha.lead, 'POST', '/batches', { name: 'Alpha batch to dispatch' });
        return {
          input: { id: batch.id, workerHandle: 'alpha-w1' },
          secrets: ['Alpha batch to dispatch'],
          skipValidCall: 'dispatching needs the workers plugin: workers.test.ts covers it with real workers',
        };
      },
    },
  });
});

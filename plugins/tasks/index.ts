import { definePlugin, type Identity, isLead } from '../../core/index.js';
import { type TaskAdmission, TaskAdmissions } from './admission.js';
import type { AuthApi } from '../auth/index.js';
import type { MailApi } from '../mail/index.js';
import { tasksErrors } from './errors.js';
import { tasksEvents } from './events.js';
import { tasksMigration } from './migrations/0001-tasks.js';
import { workItemsMigration } from './migrations/0002-work-items.js';
import { taskOrderIndexMigration } from './migrations/0003-task-order-index.js';
import { taskPriorityMigration } from './migrations/0004-task-priority.js';
import { taskOperations } from './operations-tasks.js';
import { workItemOperations } from './operations-work-items.js';
import { tasksTables } from './tables.js';
import { SuggestionRankers, type SuggestionRanker } from './suggestion-rankers.js';
import { TaskService, type TeamTask } from './task-service.js';
import { WorkItemService } from './work-item-service.js';
import type { WorkerInput } from './workers-port.js';
import { fileURLToPath } from 'node:url';

export type { TeamTask, TaskResolver, TaskStatus } from './task-service.js';
export type { WorkItem, Batch } from './work-item-service.js';
export type { WorkerInput } from './workers-port.js';
export type { TaskAdmission, TaskAdmissionRequest } from './admission.js';
export type { SuggestionRanker } from './suggestion-rankers.js';

/** What dependents (and this plugin's operations) get from ctx.use('tasks'). */
export interface TasksApi {
  tasks: TaskService;
  workItems: WorkItemService;
  auth(): AuthApi;
  /** The workers plugin when it runs (batches are dispatched to its workers), else undefined. */
  workers(): WorkerInput | undefined;
  /**
   * Add a check run before a task gets an owner (a create with an owner, a claim with or without an
   * id); it throws a coded error to refuse, and nothing is written. Returns its remover.
   */
  addAdmission(check: TaskAdmission): () => void;
  /**
   * Add a ranker of the tasks a worker is shown (team_tasks / list_tasks when the caller is not a
   * lead): rankers run in the order added, each bounded in time; a failing one is skipped. Returns its
   * remover. Leads always get the plain order.
   */
  addSuggestionRanker(ranker: SuggestionRanker): () => void;
  /** The tasks in the rankers' order for this caller (the plain order for a lead or with no ranker). */
  suggest(caller: Identity, tasks: TeamTask[]): Promise<TeamTask[]>;
}

export const tasks = definePlugin({
  name: 'tasks',
  description: 'Tasks with dependencies and atomic claiming, work items with history, batches.',
  dependsOn: ['auth', 'mail'],
  optionalDependsOn: ['workers'],
  tables: tasksTables,
  migrations: {
    '0001_tasks': tasksMigration,
    '0002_work_items': workItemsMigration,
    '0003_task_order_index': taskOrderIndexMigration,
    '0004_task_priority': taskPriorityMigration,
  },
  errors: tasksErrors,
  events: tasksEvents,
  operations: [...taskOperations, ...workItemOperations],
  panel: { entry: fileURLToPath(new URL('./panel/index.js', import.meta.url)), title: 'Tasks', order: 30 },
  setup(ctx): TasksApi {
    const auth = () => ctx.use<AuthApi>('auth');
    const admissions = new TaskAdmissions(ctx.log);
    const rankers = new SuggestionRankers(ctx.log);
    const taskService = new TaskService(ctx.db, ctx.events.emit, () => ctx.use<MailApi>('mail'), admissions);
    const workItems = new WorkItemService(ctx.db, ctx.events.emit);
    ctx.health.count('tasks', (team) => taskService.countAll(team));
    ctx.onStop(
      auth().addStatusSection('tasks', async (teamName, uid) => {
        const agent = await auth().agents.get(uid);
        const mine = agent ? await taskService.list(teamName, { ownerHandle: agent.handle, limit: 20, offset: 0 }) : [];
        return {
          counts: await taskService.counts(teamName),
          mine: mine
            .filter((t) => t.status !== 'resolved')
            .map((t) => ({ id: t.id, subject: t.subject, status: t.status })),
        };
      }),
    );
    return {
      tasks: taskService,
      workItems,
      auth,
      workers: () => ctx.use<WorkerInput | undefined>('workers'),
      addAdmission: (check) => admissions.add(check),
      addSuggestionRanker: (ranker) => rankers.add(ranker),
      suggest: (caller, tasks) => (isLead(caller) ? Promise.resolve(tasks) : rankers.rank(caller, tasks)),
    };
  },
});

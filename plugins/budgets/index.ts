import { definePlugin } from '../../core/index.js';
import type { SessionsApi } from '../sessions/index.js';
import { BudgetEngine } from './budget-engine.js';
import { BudgetService, configBudgets } from './budget-service.js';
import { BudgetStore } from './budget-store.js';
import { budgetsErrors } from './errors.js';
import { budgetsEvents } from './events.js';
import { budgetsMigration } from './migrations/0001-budgets.js';
import { budgetOperations } from './operations-budgets.js';
import { budgetsOptionsSchema } from './options.js';
import type { PolicyPort, TasksPort, WorkersPort } from './ports.js';
import { budgetsTables } from './tables.js';
import { fileURLToPath } from 'node:url';

export type { Budget, BudgetScope, BudgetView } from './budget.js';

/** What dependents and this plugin's operations get from ctx.use('budgets'). */
export interface BudgetsApi {
  engine: BudgetEngine;
  service: BudgetService;
}

export const budgets = definePlugin({
  name: 'budgets',
  description:
    'Budgets in USD, tokens or turns, per task, worker, team or the whole fleet, per day, week or in total: ' +
    'checked before work starts and between model requests; a breach pauses the workers and asks the leads.',
  dependsOn: ['auth', 'sessions'],
  optionalDependsOn: ['workers', 'tasks', 'policy'],
  config: budgetsOptionsSchema,
  tables: budgetsTables,
  migrations: { '0001_budgets': budgetsMigration },
  errors: budgetsErrors,
  events: budgetsEvents,
  operations: budgetOperations,
  panel: { entry: fileURLToPath(new URL('./panel/index.js', import.meta.url)), title: 'Budgets', order: 52 },
  setup(ctx): BudgetsApi {
    const store = new BudgetStore(ctx.db);
    const engine = new BudgetEngine({
      store,
      sessions: () => ctx.use<SessionsApi>('sessions'),
      workers: () => ctx.use<WorkersPort | undefined>('workers'),
      policy: () => ctx.use<PolicyPort | undefined>('policy'),
      emit: ctx.events.emit,
      log: ctx.log,
      extensionRatio: () => ctx.options.extensionRatio,
    });
    const service = new BudgetService(engine, store, () => ctx.use<TasksPort | undefined>('tasks'), ctx.events.emit);
    return { engine, service };
  },

  async start(ctx, api) {
    const { engine } = api;
    const fromConfig = configBudgets(ctx.options.budgets);
    ctx.events.on('cost_recorded', (event) => engine.onCost(event.team, event.data, event.ts));
    ctx.events.on('worker_request', (event) => engine.onRequest(event.team, event.data));
    ctx.events.on(['worker_dismissed', 'worker_failed'], (event) => engine.forgetWorker(event.team, event.data.handle));
    ctx.events.on(['task_created', 'task_updated', 'task_resolved', 'task_assigned'], (event) =>
      engine.forgetTasks(event.team),
    );
    await engine.start([...(await new BudgetStore(ctx.db).list()), ...fromConfig]);

    const workers = ctx.use<WorkersPort | undefined>('workers');
    if (workers?.addAdmission)
      ctx.onStop(workers.addAdmission((request) => engine.admit(request.action, request.teamName, request.handle)));
    else if (workers) ctx.log.warn('budgets: the workers plugin takes no admission checks: spawns are not checked');
    const tasks = ctx.use<TasksPort | undefined>('tasks');
    if (tasks?.addAdmission)
      ctx.onStop(
        tasks.addAdmission((request) =>
          engine.admit(request.action, request.teamName, request.ownerHandle, request.taskId),
        ),
      );
    else if (tasks) ctx.log.warn('budgets: the tasks plugin takes no admission checks: assignments are not checked');
    const policy = ctx.use<PolicyPort | undefined>('policy');
    if (policy?.addGate)
      ctx.onStop(policy.addGate({ name: 'budgets', check: (caller) => engine.gate(caller.teamName, caller.handle) }));
    if (policy?.approvals?.onItemDecided)
      ctx.onStop(
        policy.approvals.onItemDecided('budget', async (item, decision) => {
          if (decision === 'approved') await engine.approved(item.subject);
        }),
      );

    let ticking = false;
    const timer = setInterval(() => {
      if (ticking) return;
      ticking = true;
      void engine
        .tick()
        .catch((error: unknown) => ctx.log.error('budgets: check failed', { error: (error as Error).message }))
        .finally(() => (ticking = false));
    }, ctx.options.checkMs);
    timer.unref();
    ctx.onStop(async () => {
      clearInterval(timer);
      engine.stop();
      await engine.settled();
    });
  },
});

import { definePlugin, type Operation } from '../../core/index.js';
import type { AuthApi } from '../auth/index.js';
import type { CheckpointsApi } from '../checkpoints/index.js';
import type { PolicyApi } from '../policy/index.js';
import type { SchedulerApi } from '../scheduler/index.js';
import type { SessionsApi } from '../sessions/index.js';
import type { SwarmApi } from '../swarm/index.js';
import type { TasksApi } from '../tasks/index.js';
import type { WorkersApi } from '../workers/index.js';
import { definitionOperations } from './definitions/operations-definitions.js';
import { WorkflowStore } from './definitions/workflow-store.js';
import { definitionErrors } from './definitions/errors.js';
import { workflowsErrors } from './errors.js';
import { workflowsEvents } from './events.js';
import { Engine } from './executions/engine.js';
import { ExecutionService } from './executions/execution-service.js';
import { executionOperations } from './executions/operations-executions.js';
import { workflowsMigration } from './migrations/0001-workflows.js';
import { MissionService, missionOperations, missionsMigration, startMissions } from './missions/index.js';
import {
  OrchestrateService,
  orchestrateMigration,
  orchestrateOperations,
  startOrchestrate,
} from './orchestrate/index.js';
import { startTemplates, TemplateService, templateOperations, templatesMigration } from './templates/index.js';
import { type Clock, clockOf, type WorkflowsOptions, workflowsOptionsSchema } from './options.js';
import { stepKinds } from './steps/index.js';
import { workflowsTables } from './tables.js';
import { triggerOperations } from './triggers/operations-triggers.js';
import { TriggerService } from './triggers/trigger-service.js';
import { fileURLToPath } from 'node:url';

export type { Clock, WorkflowsOptions } from './options.js';
export type { WorkflowDefinition, StepDefinition } from './definitions/definition.js';
export type { WorkflowView } from './definitions/views.js';
export type { ExecutionView, StepView, ExecutionEventView } from './executions/views.js';
export type { StartInput } from './executions/execution-service.js';
export type { TriggerView } from './triggers/trigger-service.js';
export { WorkflowStore, ExecutionService, Engine, TriggerService };

/** What the parts, dependents and the operations get from ctx.use('workflows'). */
export interface WorkflowsApi {
  definitions: WorkflowStore;
  executions: ExecutionService;
  engine: Engine;
  triggers: TriggerService;
  orchestrate: OrchestrateService;
  missions: MissionService;
  templates: TemplateService;
  clock: Clock;
  workers(): WorkersApi | undefined;
  tasks(): TasksApi | undefined;
  checkpoints(): CheckpointsApi | undefined;
  policy(): PolicyApi | undefined;
  swarm(): SwarmApi | undefined;
  sessions(): SessionsApi | undefined;
  auth(): AuthApi;
  options: WorkflowsOptions;
}

/** Every part's operations; each part types its own slice of the api (WorkflowsApi has them all). */
const operations: readonly Operation<WorkflowsApi>[] = [
  ...definitionOperations,
  ...executionOperations,
  ...triggerOperations,
  ...(orchestrateOperations as readonly Operation<WorkflowsApi>[]),
  ...(missionOperations as readonly Operation<WorkflowsApi>[]),
  ...(templateOperations as readonly Operation<WorkflowsApi>[]),
];

export const workflows = definePlugin({
  name: 'workflows',
  description:
    'Workflows: DAGs of steps (spawn, send, task, command, gate, checkpoint, approval, wait, nested workflow, ' +
    'script) run by a durable engine that survives kill -9; triggers; waves and multi-repo runs; missions; templates.',
  dependsOn: ['auth'],
  optionalDependsOn: ['workers', 'tasks', 'checkpoints', 'policy', 'scheduler', 'swarm', 'sessions', 'metrics'],
  config: workflowsOptionsSchema,
  tables: workflowsTables,
  migrations: {
    '0001_workflows': workflowsMigration,
    '0002_orchestrate': orchestrateMigration,
    '0003_missions': missionsMigration,
    '0004_templates': templatesMigration,
  },
  errors: workflowsErrors,
  events: workflowsEvents,
  operations,
  panel: { entry: fileURLToPath(new URL('./panel/index.js', import.meta.url)), title: 'Workflows', order: 75 },
  setup(ctx): WorkflowsApi {
    const clock = clockOf(ctx.options.testClock);
    const emit = ctx.events.emit as (type: string, team: string, data: unknown) => void;
    const on = ctx.events.on as unknown as (
      types: readonly string[],
      listener: (event: { type: string; team: string; data: unknown }) => void,
    ) => () => void;
    const definitions = new WorkflowStore({
      db: ctx.db,
      now: () => clock.now(),
      kinds: () => stepKinds,
      emit: (type, team, data) => emit(type, team, data),
      log: ctx.log,
      seedExamples: () => ctx.options.seedExamples,
    });
    const engine: Engine = new Engine({
      db: ctx.db,
      clock,
      options: () => ctx.options,
      kinds: () => stepKinds,
      api: () => api,
      emit: (type, team, data) => emit(type, team, data),
      on,
      log: ctx.log,
    });
    const executions = new ExecutionService({ db: ctx.db, clock, workflows: definitions, engine });
    const triggers = new TriggerService({
      db: ctx.db,
      clock,
      log: ctx.log,
      workflows: definitions,
      executions: () => executions,
      engine,
      emit: (type, team, data) => emit(type, team, data),
      pollMs: () => ctx.options.triggerPollMs,
    });
    const missions = new MissionService({
      db: ctx.db,
      log: ctx.log,
      emit: ctx.events.emit,
      clock,
      workers: () => ctx.use<WorkersApi | undefined>('workers'),
    });
    const orchestrate = new OrchestrateService({
      db: ctx.db,
      emit: ctx.events.emit,
      log: ctx.log,
      dataDir: ctx.config.dataDir,
      workers: () => ctx.use<WorkersApi | undefined>('workers'),
    });
    const templates = new TemplateService({
      db: ctx.db,
      log: ctx.log,
      emit: ctx.events.emit,
      workers: () => ctx.use<WorkersApi | undefined>('workers'),
      swarm: () => ctx.use<SwarmApi | undefined>('swarm'),
      executions: () => executions,
    });
    ctx.health.count('workflows', async (team) => {
      let query = ctx.db.selectFrom('workflows').select((eb) => eb.fn.countAll<number>().as('n'));
      if (team) query = query.where('team_name', '=', team);
      return Number((await query.executeTakeFirstOrThrow()).n);
    });
    const api: WorkflowsApi = {
      definitions,
      executions,
      engine,
      triggers,
      orchestrate,
      missions,
      templates,
      clock,
      workers: () => ctx.use<WorkersApi | undefined>('workers'),
      tasks: () => ctx.use<TasksApi | undefined>('tasks'),
      checkpoints: () => ctx.use<CheckpointsApi | undefined>('checkpoints'),
      policy: () => ctx.use<PolicyApi | undefined>('policy'),
      swarm: () => ctx.use<SwarmApi | undefined>('swarm'),
      sessions: () => ctx.use<SessionsApi | undefined>('sessions'),
      auth: () => ctx.use<AuthApi>('auth'),
      options: ctx.options,
    };
    return api;
  },
  async start(ctx, api: WorkflowsApi) {
    api.engine.start();
    ctx.onStop(() => api.engine.stop());
    ctx.onStop(api.triggers.start());
    ctx.onStop(startMissions(api, ctx));
    ctx.onStop(await startOrchestrate(api, ctx));
    ctx.onStop(startTemplates(api, ctx));
    // The scheduler's `workflow` action starts executions through this port while both run.
    const scheduler = ctx.use<SchedulerApi | undefined>('scheduler');
    if (scheduler)
      ctx.onStop(
        scheduler.dispatcher.useWorkflows({
          async start(team, actor, ref, input) {
            const workflow = await api.definitions.find(team, ref);
            if (!workflow) throw definitionErrors.WORKFLOWS_NOT_FOUND({}, { workflow: ref });
            const execution = await api.executions.start({ team, handle: actor }, workflow.id, input);
            return { id: execution.id, workflowId: workflow.id, status: execution.status };
          },
        }),
      );
  },
});

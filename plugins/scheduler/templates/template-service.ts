import type { Kysely } from 'kysely';
import type { EventType, FleetEventMap, Identity, Logger } from '../../../core/index.js';
import type { Clock } from '../clock.js';
import type { Job, JobQueue, JobResult } from '../queue/index.js';
import type { RunOutcome, ScheduleAction } from '../schedules/action.js';
import { BUILT_IN_IDS, BUILT_IN_TEMPLATES, type ContextField, type TaskTemplate } from './builtins.js';
import { templateErrors } from './errors.js';
import { genericPrompt, type TemplateRunContext, templatePrompt } from './prompt.js';
import type { SchedulerTemplatesTable, TemplateTables } from './tables.js';

type Emit = <K extends EventType>(type: K, team: string, data: FleetEventMap[K]) => unknown;

/** How a template job spawns its worker: the dispatcher's `dispatch` (schedules/dispatcher.ts). */
export type DispatchFn = (
  team: string,
  action: ScheduleAction,
  origin: { kind: 'run' | 'webhook' | 'queue' | 'manual'; id: string; actor?: string },
) => Promise<RunOutcome>;

export type NewTemplate = Omit<TaskTemplate, 'builtIn'>;

/** The list entry (the seed's summary fields). */
export type TemplateSummary = Pick<
  TaskTemplate,
  'id' | 'name' | 'description' | 'category' | 'role' | 'estimatedMinutes' | 'outputFormat' | 'requiredContext'
> & { builtIn: boolean };

/** A 'template' job's payload: the dispatcher's action, or what the queue route and `execute` write. */
interface TemplatePayload {
  template?: string;
  context?: TemplateRunContext;
}

/**
 * Task templates: the 12 built-ins and each team's own (persisted), and the queue's 'template'
 * handler, which spawns a worker with the template's prompt and the run's context (fenced as data)
 * through the dispatcher, and reports delivered only once the worker's turn started.
 */
export class TemplateService {
  private readonly db: Kysely<TemplateTables>;

  constructor(
    private readonly deps: {
      db: Kysely<TemplateTables> | Kysely<unknown>;
      clock: Clock;
      log: Logger;
      emit: Emit;
      queue: () => JobQueue;
      dispatch: () => DispatchFn | undefined;
    },
  ) {
    this.db = deps.db as Kysely<TemplateTables>;
  }

  async list(team: string, category?: string): Promise<TemplateSummary[]> {
    const rows = await this.db.selectFrom('scheduler_templates').selectAll().where('team_name', '=', team).execute();
    const all = [...BUILT_IN_TEMPLATES, ...rows.map(templateOf)];
    return all
      .filter((template) => category === undefined || template.category === category)
      .map(
        ({ id, name, description, category: c, role, estimatedMinutes, outputFormat, requiredContext, builtIn }) => ({
          id,
          name,
          description,
          category: c,
          role,
          estimatedMinutes,
          outputFormat,
          requiredContext,
          builtIn,
        }),
      );
  }

  /** A built-in, or the team's own; undefined when neither. */
  async find(team: string, id: string): Promise<TaskTemplate | undefined> {
    const builtIn = BUILT_IN_TEMPLATES.find((template) => template.id === id);
    if (builtIn) return builtIn;
    const row = await this.db
      .selectFrom('scheduler_templates')
      .selectAll()
      .where('team_name', '=', team)
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? templateOf(row) : undefined;
  }

  async get(team: string, id: string): Promise<TaskTemplate> {
    const template = await this.find(team, id);
    if (!template) throw templateErrors.SCHEDULER_TEMPLATE_NOT_FOUND();
    return template;
  }

  /** A team's own template (leads): never over a built-in, never silently over one of the team's. */
  async create(caller: Identity, input: NewTemplate): Promise<TaskTemplate> {
    if (BUILT_IN_IDS.has(input.id)) throw templateErrors.SCHEDULER_TEMPLATE_BUILT_IN({ id: input.id });
    const requiredContext = [...new Set<ContextField>(['repository', ...input.requiredContext])];
    const template: TaskTemplate = { ...input, requiredContext, builtIn: false };
    const { builtIn: _builtIn, ...body } = template;
    const inserted = await this.db
      .insertInto('scheduler_templates')
      .values({
        team_name: caller.teamName,
        id: input.id,
        body: JSON.stringify(body),
        category: input.category,
        created_by: caller.handle,
        created_at: this.deps.clock.now(),
      })
      .onConflict((oc) => oc.columns(['team_name', 'id']).doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0)
      throw templateErrors.SCHEDULER_TEMPLATE_EXISTS({ id: input.id });
    this.deps.emit('template_created', caller.teamName, { id: input.id, by: caller.handle });
    return template;
  }

  /** Queue a run of a template (leads): its required context is checked first (400 naming the field). */
  async execute(caller: Identity, id: string, context: TemplateRunContext): Promise<Job> {
    const template = await this.get(caller.teamName, id);
    for (const field of template.requiredContext) {
      const value = context[field];
      if (value === undefined || (Array.isArray(value) && value.length === 0))
        throw templateErrors.SCHEDULER_TEMPLATE_MISSING_CONTEXT({ field, id }, { field });
    }
    return this.deps.queue().enqueue({
      team: caller.teamName,
      kind: 'template',
      name: id,
      payload: { template: id, context },
      trigger: 'manual',
      repository: context.repository,
      createdBy: caller.handle,
      origin: { kind: 'manual', id: caller.handle },
    });
  }

  /** The 'template' handler: spawn a worker for the job; delivered once its turn started. */
  register(queue: JobQueue): () => void {
    return queue.registerHandler('template', (job) => this.run(job));
  }

  async run(job: Job): Promise<JobResult> {
    const dispatch = this.deps.dispatch();
    if (!dispatch) return { outcome: 'refused', reason: 'the scheduler’s dispatcher is not available' };
    const payload = (job.payload ?? {}) as TemplatePayload;
    const name = typeof payload.template === 'string' ? payload.template : job.name;
    const context: TemplateRunContext = { ...(payload.context ?? {}) };
    const from = job.createdBy ?? 'scheduler';
    const template = await this.find(job.team, name);
    const prompt = template ? templatePrompt(template, context, from) : genericPrompt(name, job, context, from);
    const slug = name.replace(/[^A-Za-z0-9]+/g, '-').slice(0, 30);
    const handle = `auto-${slug}-${job.id}${job.attempts > 1 ? `-r${job.attempts}` : ''}`.slice(0, 50);
    const outcome = await dispatch(
      job.team,
      { kind: 'spawn', handle, prompt, role: template?.role ?? 'worker' },
      { kind: 'queue', id: String(job.id), ...(job.createdBy ? { actor: job.createdBy } : {}) },
    );
    switch (outcome.outcome) {
      case 'delivered':
        return { outcome: 'delivered', evidence: { template: template ? name : null, ...outcome.evidence } };
      case 'refused':
      case 'skipped':
        return { outcome: 'refused', reason: outcome.reason ?? 'the spawn was refused' };
      case 'queued':
        // Handed to the workers' spawn queue: its turn has not started, and it is no longer ours to follow.
        return {
          outcome: 'refused',
          reason: `${outcome.reason ?? 'the spawn waits in the workers’ spawn queue'} (not followed to its turn)`,
        };
      case 'failed':
        // A worker that was spawned but not seen starting is not spawned again under the same job attempt.
        return {
          outcome: 'failed',
          reason: outcome.reason ?? 'the spawn failed',
          ...(outcome.evidence?.spawned === true ? { retry: false } : {}),
        };
    }
  }
}

function templateOf(row: SchedulerTemplatesTable): TaskTemplate {
  return { ...(JSON.parse(row.body) as NewTemplate), builtIn: false };
}

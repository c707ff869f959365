import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import type { Kysely } from 'kysely';
import { dataFence, type EventType, type FleetEventMap, type Identity, type Logger } from '../../../core/index.js';
import type { SwarmApi } from '../../swarm/index.js';
import type { WorkersApi } from '../../workers/index.js';
import { BUILT_IN_TEMPLATES, type ParameterSpec, PHASES, type Phases, type Template, totalRoles } from './builtins.js';
import { templateErrors } from './errors.js';
import { checkDefaults, checkParameters } from './parameters.js';
import type { TemplateTables, WorkflowTemplateRunsTable as RunRow, WorkflowTemplatesTable } from './tables.js';

type Emit = <K extends EventType>(type: K, team: string, data: FleetEventMap[K]) => unknown;

/** What a template run needs of the workflows engine (WorkflowsApi.executions has it). */
export interface ExecutionsPort {
  start(
    caller: Identity,
    workflowId: string,
    input: { inputs?: Record<string, unknown>; swarmId?: string; startedBy: string },
  ): Promise<{ id: string; status: string }>;
}

export interface TemplateDeps {
  db: Kysely<TemplateTables> | Kysely<unknown>;
  log: Logger;
  emit: Emit;
  workers: () => WorkersApi | undefined;
  swarm: () => SwarmApi | undefined;
  executions: () => ExecutionsPort | undefined;
}

export interface NewTemplate {
  name: string;
  description?: string;
  phases?: Partial<Phases>;
  workflowId?: string;
  parameters?: Record<string, ParameterSpec>;
}

export interface TemplatePatch {
  name?: string;
  description?: string | null;
  phases?: Partial<Phases>;
  workflowId?: string | null;
  parameters?: Record<string, ParameterSpec> | null;
}

/** One role of a run: its worker, and where it is. */
export interface RunRole {
  role: string;
  phase: (typeof PHASES)[number];
  handle: string;
  queueId: number | null;
  status: 'waiting' | 'queued' | 'done' | 'failed';
  queuedAt: string | null;
  doneAt: string | null;
  error?: string;
}

const ENDED = ['stopping', 'stopped', 'failed'];

/**
 * Templates: the seed's swarm set-ups (roles in four phases) and parameterised workflows. A run
 * creates a real swarm (swarm plugin, when on), queues the first phase's roles in the workers
 * plugin's spawn queue, and queues each next phase only once every worker of the one before finished
 * a turn (its result event): the seed queued them all at once. A template naming a workflow starts it
 * with the run's checked parameters as its inputs.
 */
export class TemplateService {
  readonly #db: Kysely<TemplateTables>;
  /** One advance at a time per run in this process. */
  readonly #chains = new Map<string, Promise<void>>();

  constructor(private readonly deps: TemplateDeps) {
    this.#db = deps.db as Kysely<TemplateTables>;
  }

  // ---- templates ---------------------------------------------------------------------------------

  async list(team: string, options: { builtin?: boolean; limit?: number } = {}): Promise<Template[]> {
    const rows = await this.#db.selectFrom('workflow_templates').selectAll().where('team_name', '=', team).execute();
    const own = rows.map(templateOf);
    let all: Template[];
    if (options.builtin === true) all = [...BUILT_IN_TEMPLATES].sort((a, b) => a.name.localeCompare(b.name));
    else if (options.builtin === false) all = own.sort(newestFirst);
    else all = [...own, ...BUILT_IN_TEMPLATES].sort(newestFirst);
    return all.slice(0, options.limit ?? 100);
  }

  async get(team: string, id: string): Promise<Template> {
    const builtIn = BUILT_IN_TEMPLATES.find((template) => template.id === id);
    if (builtIn) return builtIn;
    const row = await this.#db
      .selectFrom('workflow_templates')
      .selectAll()
      .where('team_name', '=', team)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw templateErrors.WORKFLOWS_TEMPLATE_NOT_FOUND();
    return templateOf(row);
  }

  async create(caller: Identity, input: NewTemplate): Promise<Template> {
    const phases = fullPhases(input.phases);
    checkRoles(phases, input.workflowId !== undefined, 'phases');
    checkDefaults(input.parameters);
    await this.#assertNameFree(caller.teamName, input.name);
    const now = Date.now();
    const row: WorkflowTemplatesTable = {
      id: randomUUID(),
      team_name: caller.teamName,
      name: input.name,
      description: input.description ?? null,
      phases: JSON.stringify(phases),
      workflow_id: input.workflowId ?? null,
      parameters: input.parameters ? JSON.stringify(input.parameters) : null,
      created_by: caller.handle,
      created_at: now,
      updated_at: now,
    };
    try {
      await this.#db.insertInto('workflow_templates').values(row).execute();
    } catch (error) {
      // Two creates of one name at once: the unique (team, name) refuses the second.
      if (await this.#nameTaken(caller.teamName, input.name))
        throw templateErrors.WORKFLOWS_TEMPLATE_EXISTS({ name: input.name }, { field: 'name' });
      throw error;
    }
    this.deps.emit('template:created', caller.teamName, { id: row.id, name: row.name, by: caller.handle });
    return templateOf(row);
  }

  /** Change a team's template: a phase not given keeps its roles (the seed reset it to []). */
  async update(caller: Identity, id: string, patch: TemplatePatch): Promise<Template> {
    if (Object.values(patch).every((value) => value === undefined))
      throw templateErrors.WORKFLOWS_TEMPLATE_EMPTY_UPDATE({}, { field: 'body' });
    const current = await this.get(caller.teamName, id);
    if (current.isBuiltin) throw templateErrors.WORKFLOWS_TEMPLATE_BUILT_IN({ verb: 'modify' });
    const phases = { ...current.phases, ...definedOnly(patch.phases ?? {}) };
    const workflow = patch.workflowId === undefined ? current.workflowId : patch.workflowId;
    checkRoles(phases, workflow !== null, 'phases');
    if (patch.parameters) checkDefaults(patch.parameters);
    if (patch.name !== undefined && patch.name !== current.name)
      await this.#assertNameFree(caller.teamName, patch.name);
    const change = {
      name: patch.name ?? current.name,
      description: patch.description === undefined ? current.description : patch.description,
      phases: JSON.stringify(phases),
      workflow_id: workflow,
      parameters:
        patch.parameters === undefined
          ? current.parameters && JSON.stringify(current.parameters)
          : patch.parameters && JSON.stringify(patch.parameters),
      updated_at: Math.max(Date.now(), Date.parse(current.updatedAt) + 1),
    };
    try {
      await this.#db
        .updateTable('workflow_templates')
        .set(change)
        .where('team_name', '=', caller.teamName)
        .where('id', '=', id)
        .execute();
    } catch (error) {
      if (patch.name !== undefined && (await this.#nameTaken(caller.teamName, patch.name)))
        throw templateErrors.WORKFLOWS_TEMPLATE_EXISTS({ name: patch.name }, { field: 'name' });
      throw error;
    }
    this.deps.emit('template:updated', caller.teamName, { id, name: change.name, by: caller.handle });
    return this.get(caller.teamName, id);
  }

  async remove(caller: Identity, id: string): Promise<void> {
    const current = await this.get(caller.teamName, id);
    if (current.isBuiltin) throw templateErrors.WORKFLOWS_TEMPLATE_BUILT_IN({ verb: 'delete' });
    await this.#db
      .deleteFrom('workflow_templates')
      .where('team_name', '=', caller.teamName)
      .where('id', '=', id)
      .execute();
    this.deps.emit('template:deleted', caller.teamName, { id, name: current.name, by: caller.handle });
  }

  // ---- runs --------------------------------------------------------------------------------------

  /** Run a template (leads): parameters checked first, then the swarm, the first phase, the workflow. */
  async run(
    caller: Identity,
    id: string,
    input: { swarmName?: string; parameters?: Record<string, unknown>; workingDir?: string },
  ) {
    const team = caller.teamName;
    const template = await this.get(team, id);
    const parameters = checkParameters(template.parameters, input.parameters ?? {});
    const total = totalRoles(template.phases);
    const workers = this.deps.workers();
    if (total > 0 && !workers) throw templateErrors.WORKFLOWS_TEMPLATE_WORKERS_OFF();
    const executions = this.deps.executions();
    if (template.workflowId !== null && !executions) throw templateErrors.WORKFLOWS_TEMPLATE_ENGINE_OFF({ id });
    const dir = input.workingDir;
    if (dir !== undefined && !(existsSync(dir) && statSync(dir).isDirectory()))
      throw templateErrors.WORKFLOWS_TEMPLATE_NOT_A_DIR({ path: dir }, { field: 'workingDir' });
    const swarmName = input.swarmName ?? `${template.name}-${Date.now()}`.slice(0, 100);
    const swarm =
      total > 0
        ? await this.deps.swarm()?.swarms.create(team, caller.handle, {
            name: swarmName,
            description: `Swarm from template: ${template.name}`,
            maxAgents: total,
          })
        : undefined;
    const runId = `trun-${randomBytes(6).toString('hex')}`;
    const roles = planRoles(template.phases, runId);
    const now = Date.now();
    const row: RunRow = {
      id: runId,
      team_name: team,
      template_id: template.id,
      template_name: template.name,
      swarm_id: swarm?.id ?? null,
      swarm_name: swarmName,
      roles: JSON.stringify(roles),
      phase: -1,
      status: 'running',
      reason: null,
      execution_id: null,
      working_dir: dir ?? null,
      created_by: caller.handle,
      created_at: now,
      updated_at: now,
    };
    await this.#db.insertInto('workflow_template_runs').values(row).execute();
    let execution: { id: string; status: string } | null = null;
    if (template.workflowId !== null && executions) {
      try {
        execution = await executions.start(caller, template.workflowId, {
          inputs: parameters,
          ...(swarm ? { swarmId: swarm.id } : {}),
          startedBy: `template:${template.id}`,
        });
      } catch (error) {
        await this.#finish(row, 'failed', `the workflow could not start: ${(error as Error).message}`);
        throw error;
      }
      await this.#db
        .updateTable('workflow_template_runs')
        .set({ execution_id: execution.id })
        .where('id', '=', runId)
        .execute();
    }
    this.deps.emit('template:run', team, {
      runId,
      templateId: template.id,
      swarmId: swarm?.id ?? null,
      executionId: execution?.id ?? null,
    });
    await this.advance(team, runId, parameters);
    // Dashboard one-shots (`_temp-` names) are deleted once run, as the seed did.
    if (!template.isBuiltin && template.name.startsWith('_temp-'))
      await this.#db.deleteFrom('workflow_templates').where('id', '=', template.id).execute();
    const view = await this.getRun(team, runId);
    return {
      runId,
      swarmId: view.swarmId,
      swarmName,
      templateId: template.id,
      templateName: template.name,
      queuedWorkers: view.roles
        .filter((role) => role.status !== 'waiting')
        .map(({ role, phase, queueId, handle }) => ({ role, phase, queueId, handle })),
      totalWorkers: total,
      parameters,
      execution,
      run: view,
    };
  }

  async getRun(team: string, runId: string) {
    const row = await this.#db
      .selectFrom('workflow_template_runs')
      .selectAll()
      .where('team_name', '=', team)
      .where('id', '=', runId)
      .executeTakeFirst();
    if (!row) throw templateErrors.WORKFLOWS_TEMPLATE_RUN_NOT_FOUND();
    return runView(row);
  }

  /**
   * Move a run along: a phase whose every role is done starts the next non-empty one (its roles
   * queued); a role whose worker failed, or whose queued spawn failed, fails the run. Idempotent;
   * called on workers' result and end events and by the sweep.
   */
  advance(team: string, runId: string, parameters?: Record<string, unknown>): Promise<void> {
    const previous = this.#chains.get(runId) ?? Promise.resolve();
    const next = previous
      .catch(() => undefined)
      .then(() => this.#advance(team, runId, parameters))
      .finally(() => {
        if (this.#chains.get(runId) === next) this.#chains.delete(runId);
      });
    this.#chains.set(runId, next);
    return next;
  }

  /** Runs with a role of this handle under way: a result or an end of that worker concerns them. */
  async runsOf(team: string, handle: string): Promise<string[]> {
    const rows = await this.#db
      .selectFrom('workflow_template_runs')
      .select(['id', 'roles'])
      .where('team_name', '=', team)
      .where('status', '=', 'running')
      .execute();
    return rows
      .filter((row) => (JSON.parse(row.roles) as RunRole[]).some((role) => role.handle === handle))
      .map((row) => row.id);
  }

  /** Every running run, advanced (at start and every poll). */
  async sweep(): Promise<void> {
    const rows = await this.#db
      .selectFrom('workflow_template_runs')
      .select(['id', 'team_name'])
      .where('status', '=', 'running')
      .limit(500)
      .execute();
    for (const row of rows) {
      try {
        await this.advance(row.team_name, row.id);
      } catch (error) {
        this.deps.log.warn(`template run ${row.id}: advancing failed`, { error: (error as Error).message });
      }
    }
  }

  async #advance(team: string, runId: string, parameters?: Record<string, unknown>): Promise<void> {
    const row = await this.#db
      .selectFrom('workflow_template_runs')
      .selectAll()
      .where('id', '=', runId)
      .where('team_name', '=', team)
      .executeTakeFirst();
    if (!row || row.status !== 'running') return;
    const roles = JSON.parse(row.roles) as RunRole[];
    const workers = this.deps.workers();
    let phase = Number(row.phase);
    // Roles under way: done once their worker finished a turn, failed if it ended or its spawn failed.
    for (const role of roles.filter((r) => r.status === 'queued')) {
      const outcome = workers ? await roleOutcome(workers, row, role) : undefined;
      if (outcome === 'done') {
        role.status = 'done';
        role.doneAt = new Date().toISOString();
      } else if (outcome !== undefined) {
        role.status = 'failed';
        role.error = outcome;
      }
    }
    const failed = roles.find((role) => role.status === 'failed');
    if (failed) {
      await this.#save(row, roles, phase);
      await this.#finish(row, 'failed', `${failed.phase}: ${failed.role} (${failed.handle}) ${failed.error}`);
      return;
    }
    const current = phase >= 0 && phase < PHASES.length ? PHASES[phase] : undefined;
    if (current && roles.some((role) => role.phase === current && role.status !== 'done')) {
      await this.#save(row, roles, phase);
      return;
    }
    // The next phase with roles: its workers are queued now.
    do phase += 1;
    while (phase < PHASES.length && !roles.some((role) => role.phase === PHASES[phase]));
    if (phase >= PHASES.length) {
      await this.#save(row, roles, PHASES.length);
      const reason =
        roles.length > 0
          ? 'every phase’s workers finished a turn'
          : `no roles to spawn: the run started execution ${row.execution_id ?? '(none)'}, which goes on by itself`;
      await this.#finish(row, 'succeeded', reason);
      return;
    }
    if (!workers) return;
    const name = PHASES[phase]!;
    const context = parameters ?? {};
    for (const role of roles.filter((r) => r.phase === name)) {
      try {
        role.queueId = await workers.manager.enqueue(
          {
            handle: role.handle,
            teamName: team,
            adapter: workers.options.defaultAdapter,
            prompt: rolePrompt(row, role, context),
            cwd: row.working_dir ?? workers.options.workingDir ?? process.cwd(),
            ...(row.swarm_id ? { swarmId: row.swarm_id } : {}),
          },
          row.created_by,
        );
        role.status = 'queued';
        role.queuedAt = new Date().toISOString();
      } catch (error) {
        role.status = 'failed';
        role.error = `could not be queued: ${(error as Error).message}`;
      }
    }
    await this.#save(row, roles, phase);
    this.deps.emit('template:phase', team, {
      runId,
      phase: name,
      roles: roles.filter((r) => r.phase === name).map((r) => r.role),
    });
    void workers.manager.drainQueue().catch(() => undefined);
    if (roles.some((role) => role.status === 'failed')) await this.#advance(team, runId);
  }

  async #save(row: RunRow, roles: RunRole[], phase: number): Promise<void> {
    await this.#db
      .updateTable('workflow_template_runs')
      .set({ roles: JSON.stringify(roles), phase, updated_at: Date.now() })
      .where('id', '=', row.id)
      .where('status', '=', 'running')
      .execute();
  }

  async #finish(row: RunRow, status: 'succeeded' | 'failed', reason: string): Promise<void> {
    const moved = await this.#db
      .updateTable('workflow_template_runs')
      .set({ status, reason, updated_at: Date.now() })
      .where('id', '=', row.id)
      .where('status', '=', 'running')
      .executeTakeFirst();
    if (Number(moved.numUpdatedRows) === 1)
      this.deps.emit('template:run_ended', row.team_name, { runId: row.id, status, reason });
  }

  async #nameTaken(team: string, name: string): Promise<boolean> {
    if (BUILT_IN_TEMPLATES.some((template) => template.name === name)) return true;
    const row = await this.#db
      .selectFrom('workflow_templates')
      .select('id')
      .where('team_name', '=', team)
      .where('name', '=', name)
      .executeTakeFirst();
    return row !== undefined;
  }

  async #assertNameFree(team: string, name: string): Promise<void> {
    if (await this.#nameTaken(team, name)) throw templateErrors.WORKFLOWS_TEMPLATE_EXISTS({ name }, { field: 'name' });
  }
}

/** A queued role's worker: 'done' after its first turn, a reason when it cannot finish, else undefined. */
async function roleOutcome(workers: WorkersApi, run: RunRow, role: RunRole): Promise<string | undefined> {
  const worker = await workers.manager.store.get(run.team_name, role.handle);
  if (worker && Number(worker.created_at) >= Number(run.created_at)) {
    if (worker.num_turns !== null && Number(worker.num_turns) > 0) return 'done';
    if (ENDED.includes(worker.state)) return `worker ${worker.state} before finishing a turn`;
    return undefined;
  }
  if (role.queueId === null) return undefined;
  const item = await workers.manager.queueItem(run.team_name, role.queueId).catch(() => undefined);
  if (item && (item.status === 'failed' || item.status === 'cancelled'))
    return `spawn ${item.status}${item.error ? `: ${item.error}` : ''}`;
  return undefined;
}

function planRoles(phases: Phases, runId: string): RunRole[] {
  const suffix = runId.slice(5, 11);
  const seen = new Map<string, number>();
  return PHASES.flatMap((phase) =>
    phases[phase].map((role): RunRole => {
      const count = (seen.get(role) ?? 0) + 1;
      seen.set(role, count);
      const handle = `${role.slice(0, 36)}-${suffix}${count > 1 ? `-${count}` : ''}`;
      return { role, phase, handle, queueId: null, status: 'waiting', queuedAt: null, doneAt: null };
    }),
  );
}

/** The seed's task text, with the run's parameters as the lead's data. */
function rolePrompt(run: RunRow, role: RunRole, parameters: Record<string, unknown>): string {
  const task = `Execute ${role.role} role for swarm ${run.swarm_name} (phase: ${role.phase})`;
  const given = Object.keys(parameters).length > 0;
  return [
    `[fleet] ${task}, from template ${run.template_name}.` +
      (role.phase === 'discovery' ? '' : ' The phases before yours have finished.'),
    ...(given
      ? [
          dataFence(
            { kind: 'template parameters', from: run.created_by, role: 'team lead' },
            JSON.stringify(parameters),
          ),
        ]
      : []),
  ].join('\n');
}

function fullPhases(phases: Partial<Phases> | undefined): Phases {
  return Object.fromEntries(PHASES.map((phase) => [phase, phases?.[phase] ?? []])) as Phases;
}

function definedOnly(phases: Partial<Phases>): Partial<Phases> {
  return Object.fromEntries(Object.entries(phases).filter(([, roles]) => roles !== undefined));
}

function checkRoles(phases: Phases, hasWorkflow: boolean, field: string): void {
  const total = totalRoles(phases);
  const min = hasWorkflow ? 0 : 1;
  if (total < min || total > 50) throw templateErrors.WORKFLOWS_TEMPLATE_ROLES({ field, min }, { field });
}

function templateOf(row: WorkflowTemplatesTable): Template {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    isBuiltin: false,
    phases: JSON.parse(row.phases) as Phases,
    workflowId: row.workflow_id,
    parameters: row.parameters ? (JSON.parse(row.parameters) as Record<string, ParameterSpec>) : null,
    createdAt: new Date(Number(row.created_at)).toISOString(),
    updatedAt: new Date(Number(row.updated_at)).toISOString(),
  };
}

const newestFirst = (a: Template, b: Template) =>
  b.createdAt.localeCompare(a.createdAt) || a.name.localeCompare(b.name);

function runView(row: RunRow) {
  const phase = Number(row.phase);
  return {
    id: row.id,
    templateId: row.template_id,
    templateName: row.template_name,
    swarmId: row.swarm_id,
    swarmName: row.swarm_name,
    status: row.status,
    reason: row.reason,
    phase: phase >= 0 && phase < PHASES.length ? PHASES[phase]! : null,
    roles: JSON.parse(row.roles) as RunRole[],
    executionId: row.execution_id,
    createdBy: row.created_by,
    createdAt: new Date(Number(row.created_at)).toISOString(),
    updatedAt: new Date(Number(row.updated_at)).toISOString(),
  };
}

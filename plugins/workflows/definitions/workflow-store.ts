import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Logger } from '../../../core/index.js';
import type { StepKind } from '../steps/kind.js';
import { type WorkflowDefinition, validateDefinition } from './definition.js';
import { definitionErrors } from './errors.js';
import { exampleWorkflows } from './examples.js';
import type { DefinitionsTables } from './tables.js';
import { type WorkflowView, workflowView } from './views.js';

export interface WorkflowInput {
  name: string;
  description?: string;
  isTemplate?: boolean;
  definition: unknown;
}

interface Deps {
  db: Kysely<DefinitionsTables>;
  now: () => number;
  kinds: () => Readonly<Record<string, StepKind>>;
  emit: (type: 'workflow:created' | 'workflow:updated' | 'workflow:deleted', team: string, data: never) => void;
  log: Logger;
  seedExamples: () => boolean;
}

const UNFINISHED = ['running', 'paused'] as const;

/** Workflow definitions of every team: validated on the way in, versioned, deleted only when nothing runs them. */
export class WorkflowStore {
  /** Teams whose examples this process has seeded (a cheap guard; the seed_key row is the real one). */
  private readonly seeded = new Set<string>();

  constructor(private readonly deps: Deps) {}

  validate(definition: unknown, root = 'definition'): WorkflowDefinition {
    return validateDefinition(definition, this.deps.kinds(), root);
  }

  async create(team: string, by: string, input: WorkflowInput, seedKey: string | null = null): Promise<WorkflowView> {
    const definition = this.validate(input.definition);
    const now = this.deps.now();
    const taken = await this.byName(team, input.name);
    if (taken) throw definitionErrors.WORKFLOWS_NAME_TAKEN({ name: input.name }, { field: 'name', id: taken.id });
    const row = {
      id: randomUUID(),
      team_name: team,
      name: input.name,
      description: input.description ?? null,
      version: 1,
      definition: JSON.stringify(definition),
      is_template: input.isTemplate ? 1 : 0,
      created_by: by,
      seed_key: seedKey,
      created_at: now,
      updated_at: now,
    };
    try {
      await this.deps.db.insertInto('workflows').values(row).execute();
    } catch (error) {
      // Two creates of one name at once: the unique (team, name) constraint decides.
      if (await this.byName(team, input.name)) throw definitionErrors.WORKFLOWS_NAME_TAKEN({ name: input.name });
      throw error;
    }
    const view = workflowView(row);
    this.emit('workflow:created', team, { workflowId: view.id, name: view.name, version: 1, by });
    return view;
  }

  private byName(team: string, name: string) {
    return this.deps.db
      .selectFrom('workflows')
      .select('id')
      .where('team_name', '=', team)
      .where('name', '=', name)
      .executeTakeFirst();
  }

  async list(team: string, query: { isTemplate?: boolean; limit?: number }): Promise<WorkflowView[]> {
    await this.seedExamples(team);
    let select = this.deps.db.selectFrom('workflows').selectAll().where('team_name', '=', team);
    if (query.isTemplate !== undefined) select = select.where('is_template', '=', query.isTemplate ? 1 : 0);
    const rows = await select
      .orderBy('updated_at', 'desc')
      .orderBy('id')
      .limit(query.limit ?? 100)
      .execute();
    return rows.map(workflowView);
  }

  async get(team: string, id: string): Promise<WorkflowView | undefined> {
    await this.seedExamples(team);
    const row = await this.deps.db
      .selectFrom('workflows')
      .selectAll()
      .where('team_name', '=', team)
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? workflowView(row) : undefined;
  }

  async require(team: string, id: string): Promise<WorkflowView> {
    const found = await this.get(team, id);
    if (!found) throw definitionErrors.WORKFLOWS_NOT_FOUND();
    return found;
  }

  /** A workflow by id or by name (the scheduler's workflow action names one). */
  async find(team: string, ref: string): Promise<WorkflowView | undefined> {
    await this.seedExamples(team);
    const row = await this.deps.db
      .selectFrom('workflows')
      .selectAll()
      .where('team_name', '=', team)
      .where((eb) => eb.or([eb('id', '=', ref), eb('name', '=', ref)]))
      .executeTakeFirst();
    return row ? workflowView(row) : undefined;
  }

  /** A new definition or description: version +1 (a conditional update, so two PATCHes never share a version). */
  async update(
    team: string,
    id: string,
    by: string,
    change: { definition?: unknown; description?: string },
  ): Promise<WorkflowView> {
    if (change.definition === undefined && change.description === undefined)
      throw definitionErrors.WORKFLOWS_NOTHING_TO_UPDATE({}, { field: 'definition' });
    const definition = change.definition === undefined ? undefined : this.validate(change.definition);
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = await this.require(team, id);
      const updated = await this.deps.db
        .updateTable('workflows')
        .set({
          version: current.version + 1,
          updated_at: Math.max(this.deps.now(), Date.parse(current.updatedAt)),
          ...(definition ? { definition: JSON.stringify(definition) } : {}),
          ...(change.description !== undefined ? { description: change.description } : {}),
        })
        .where('team_name', '=', team)
        .where('id', '=', id)
        .where('version', '=', current.version)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 1) {
        const view = await this.require(team, id);
        this.emit('workflow:updated', team, { workflowId: id, name: view.name, version: view.version, by });
        return view;
      }
    }
    throw definitionErrors.WORKFLOWS_NOT_FOUND();
  }

  /**
   * Delete a workflow with its finished executions, steps, events and triggers, in one transaction;
   * while an execution is running or paused: 409 naming them (cancel them first).
   */
  async delete(team: string, id: string, by: string): Promise<{ success: true; id: string }> {
    const view = await this.require(team, id);
    await this.deps.db.transaction().execute(async (trx) => {
      const unfinished = await trx
        .selectFrom('workflow_executions')
        .select('id')
        .where('team_name', '=', team)
        .where('workflow_id', '=', id)
        .where('status', 'in', UNFINISHED)
        .execute();
      if (unfinished.length > 0)
        throw definitionErrors.WORKFLOWS_HAS_EXECUTIONS(
          { count: unfinished.length },
          { executions: unfinished.map((row) => row.id) },
        );
      const executions = trx.selectFrom('workflow_executions').select('id').where('workflow_id', '=', id);
      await trx.deleteFrom('workflow_events').where('execution_id', 'in', executions).execute();
      await trx.deleteFrom('workflow_steps').where('execution_id', 'in', executions).execute();
      await trx.deleteFrom('workflow_executions').where('workflow_id', '=', id).execute();
      const triggers = trx.selectFrom('workflow_triggers').select('id').where('workflow_id', '=', id);
      await trx.deleteFrom('workflow_trigger_firings').where('trigger_id', 'in', triggers).execute();
      await trx.deleteFrom('workflow_triggers').where('workflow_id', '=', id).execute();
      await trx.deleteFrom('workflows').where('team_name', '=', team).where('id', '=', id).execute();
    });
    this.emit('workflow:deleted', team, { workflowId: id, name: view.name, by });
    return { success: true, id };
  }

  /**
   * The seed's examples, once per team: a row per example keyed by seed_key, never updated again (the
   * seed re-applied them at every boot, bumping their version). One whose kinds are off is skipped.
   */
  async seedExamples(team: string): Promise<void> {
    if (!this.deps.seedExamples() || this.seeded.has(team)) return;
    this.seeded.add(team);
    const existing = await this.deps.db
      .selectFrom('workflows')
      .select(['seed_key', 'name'])
      .where('team_name', '=', team)
      .execute();
    const keys = new Set(existing.map((row) => row.seed_key));
    const names = new Set(existing.map((row) => row.name));
    // Seeded once: a team that has any example left has been seeded (one it deleted stays deleted across restarts).
    if (existing.some((row) => row.seed_key !== null)) return;
    for (const example of exampleWorkflows) {
      if (keys.has(example.name) || names.has(example.name)) continue;
      try {
        await this.create(team, 'fleet', { ...example, isTemplate: true }, example.name);
      } catch (error) {
        this.deps.log.debug(`workflows: example ${example.name} not seeded for ${team}`, {
          error: (error as Error).message,
        });
      }
    }
  }

  private emit(type: 'workflow:created' | 'workflow:updated' | 'workflow:deleted', team: string, data: object) {
    this.deps.emit(type, team, data as never);
  }
}

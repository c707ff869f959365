import { createHash, randomUUID } from 'node:crypto';
import type { Logger } from '../../../core/index.js';
import type { WorkflowTriggersTable } from '../definitions/tables.js';
import { iso } from '../definitions/views.js';
import type { WorkflowStore } from '../definitions/workflow-store.js';
import type { Engine } from '../executions/engine.js';
import type { ExecutionService } from '../executions/execution-service.js';
import { matchesFilter } from '../executions/kept-events.js';
import type { Db } from '../executions/transitions.js';
import type { Clock } from '../options.js';
import type { KeptEvent } from '../steps/kind.js';
import { triggerErrors } from './errors.js';
import { nextSlot, parseTriggerConfig, type TriggerConfig, type TriggerType } from './trigger-config.js';

export interface TriggerView {
  id: string;
  workflowId: string;
  triggerType: TriggerType;
  config: TriggerConfig;
  isEnabled: boolean;
  lastFiredAt: string | null;
  fireCount: number;
  /** Schedule triggers: the next slot. */
  nextFireAt: string | null;
  createdBy: string;
  createdAt: string;
}

interface Deps {
  db: Db;
  clock: Clock;
  log: Logger;
  workflows: WorkflowStore;
  executions: () => ExecutionService;
  engine: Engine;
  emit: (type: 'trigger:fired', team: string, data: Record<string, unknown>) => void;
  pollMs: () => number;
}

function view(row: WorkflowTriggersTable): TriggerView {
  return {
    id: row.id,
    workflowId: row.workflow_id,
    triggerType: row.trigger_type,
    config: JSON.parse(row.config) as TriggerConfig,
    isEnabled: Number(row.is_enabled) === 1,
    lastFiredAt: iso(row.last_fired_at),
    fireCount: Number(row.fire_count),
    nextFireAt: row.trigger_type === 'schedule' ? iso(row.cursor) : null,
    createdBy: row.created_by,
    createdAt: iso(row.created_at)!,
  };
}

/** The fleet event a trigger type listens to (schedule triggers are timed, not evented). */
const EVENT_OF: Record<Exclude<TriggerType, 'schedule' | 'event'>, string> = {
  webhook: 'webhook_received',
  blackboard: 'blackboard_message',
};

/**
 * Triggers start their workflow on an event (any fleet event type, with a filter on its data), a
 * schedule (cron or interval), an inbound webhook delivery (the scheduler's) or a blackboard message
 * (the swarm plugin's). A trigger fires once per event: a firing row keyed by (trigger, dedupe key) is
 * written first, and only the node whose insert won starts the execution (`startedBy: trigger:<id>`).
 */
export class TriggerService {
  private timer: NodeJS.Timeout | undefined;
  private stopListening: (() => void) | undefined;
  /** Event types some enabled trigger listens to (refreshed on changes and every poll). */
  private types = new Set<string>();

  constructor(private readonly deps: Deps) {}

  async create(
    team: string,
    workflowId: string,
    by: string,
    input: { triggerType: TriggerType; config: Record<string, unknown>; isEnabled?: boolean },
  ): Promise<TriggerView> {
    await this.deps.workflows.require(team, workflowId);
    const config = parseTriggerConfig(input.triggerType, input.config);
    const now = this.deps.clock.now();
    const row: WorkflowTriggersTable = {
      id: randomUUID(),
      team_name: team,
      workflow_id: workflowId,
      trigger_type: input.triggerType,
      config: JSON.stringify(config),
      is_enabled: input.isEnabled === false ? 0 : 1,
      created_by: by,
      last_fired_at: null,
      fire_count: 0,
      cursor: config.type === 'schedule' ? (nextSlot(config, now) ?? null) : null,
      created_at: now,
    };
    await this.deps.db.insertInto('workflow_triggers').values(row).execute();
    await this.refresh();
    return view(row);
  }

  async list(team: string, workflowId: string): Promise<TriggerView[]> {
    await this.deps.workflows.require(team, workflowId);
    const rows = await this.deps.db
      .selectFrom('workflow_triggers')
      .selectAll()
      .where('team_name', '=', team)
      .where('workflow_id', '=', workflowId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(view);
  }

  private async row(team: string, id: string): Promise<WorkflowTriggersTable> {
    const row = await this.deps.db
      .selectFrom('workflow_triggers')
      .selectAll()
      .where('team_name', '=', team)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) throw triggerErrors.WORKFLOWS_TRIGGER_NOT_FOUND();
    return row;
  }

  async get(team: string, id: string): Promise<TriggerView> {
    return view(await this.row(team, id));
  }

  async setEnabled(team: string, id: string, enabled: boolean): Promise<TriggerView> {
    const row = await this.row(team, id);
    const now = this.deps.clock.now();
    const config = JSON.parse(row.config) as TriggerConfig;
    // A schedule turned on again starts from the next slot (no burst of the slots it was off for).
    const cursor = config.type === 'schedule' && enabled ? (nextSlot(config, now) ?? null) : row.cursor;
    await this.deps.db
      .updateTable('workflow_triggers')
      .set({ is_enabled: enabled ? 1 : 0, cursor })
      .where('id', '=', id)
      .execute();
    await this.refresh();
    return this.get(team, id);
  }

  async delete(team: string, id: string): Promise<{ success: true; id: string }> {
    await this.row(team, id);
    await this.deps.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('workflow_trigger_firings').where('trigger_id', '=', id).execute();
      await trx.deleteFrom('workflow_triggers').where('id', '=', id).execute();
    });
    await this.refresh();
    return { success: true, id };
  }

  start(): () => void {
    this.stopListening = this.deps.engine.onEvent((event) => void this.onEvent(event).catch((e) => this.warn(e)));
    const tick = () => void this.tick().catch((e) => this.warn(e));
    this.timer = setInterval(tick, this.deps.pollMs());
    this.timer.unref?.();
    tick();
    return () => {
      if (this.timer) clearInterval(this.timer);
      this.stopListening?.();
    };
  }

  /** Which event types enabled triggers listen to; the engine keeps and forwards those. */
  private async refresh(): Promise<void> {
    const rows = await this.deps.db
      .selectFrom('workflow_triggers')
      .select(['trigger_type', 'config'])
      .where('is_enabled', '=', 1)
      .where('trigger_type', '!=', 'schedule')
      .execute();
    const types = new Set<string>();
    for (const row of rows) {
      const config = JSON.parse(row.config) as TriggerConfig;
      types.add(config.type === 'event' ? config.eventType : EVENT_OF[config.type as 'webhook' | 'blackboard']);
    }
    this.types = types;
    this.deps.engine.watch(types);
  }

  /** Schedule triggers whose slot came: fire once for the slot, then point at the next one (missed slots: once). */
  async tick(): Promise<void> {
    await this.refresh();
    const now = this.deps.clock.now();
    const due = await this.deps.db
      .selectFrom('workflow_triggers')
      .selectAll()
      .where('trigger_type', '=', 'schedule')
      .where('is_enabled', '=', 1)
      .where('cursor', '<=', now)
      .execute();
    for (const row of due) {
      const config = JSON.parse(row.config) as TriggerConfig & { type: 'schedule' };
      const slot = Number(row.cursor);
      const moved = await this.deps.db
        .updateTable('workflow_triggers')
        .set({ cursor: nextSlot(config, now) ?? null })
        .where('id', '=', row.id)
        .where('cursor', '=', slot)
        .executeTakeFirst();
      if (Number(moved.numUpdatedRows) !== 1) continue;
      await this.fire(row, `slot:${slot}`, { type: 'schedule', slot: new Date(slot).toISOString() });
    }
  }

  private async onEvent(event: KeptEvent): Promise<void> {
    if (!this.types.has(event.type)) return;
    const rows = await this.deps.db
      .selectFrom('workflow_triggers')
      .selectAll()
      .where('team_name', '=', event.team)
      .where('is_enabled', '=', 1)
      .where('trigger_type', '!=', 'schedule')
      .execute();
    for (const row of rows) {
      const config = JSON.parse(row.config) as TriggerConfig;
      const key = dedupeKey(config, event);
      if (key) await this.fire(row, key, { type: event.type, data: event.data });
    }
  }

  /** Fire once per dedupe key: the firing row's insert decides; then the execution starts. */
  private async fire(row: WorkflowTriggersTable, key: string, payload: Record<string, unknown>): Promise<void> {
    const now = this.deps.clock.now();
    const inserted = await this.deps.db
      .insertInto('workflow_trigger_firings')
      .values({
        trigger_id: row.id,
        dedupe_key: key,
        team_name: row.team_name,
        execution_id: null,
        error: null,
        created_at: now,
      })
      .onConflict((conflict) => conflict.columns(['trigger_id', 'dedupe_key']).doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) !== 1) return;
    let executionId: string | null = null;
    let error: string | undefined;
    try {
      const workflow = await this.deps.workflows.require(row.team_name, row.workflow_id);
      // The event reaches the workflow only as an input it declares (`trigger`).
      const inputs = 'trigger' in workflow.definition.inputs ? { trigger: payload } : {};
      const execution = await this.deps
        .executions()
        .start({ team: row.team_name, handle: row.created_by }, row.workflow_id, {
          inputs,
          startedBy: `trigger:${row.id}`,
        });
      executionId = execution.id;
    } catch (failure) {
      error = (failure as Error).message;
      this.deps.log.warn(`workflows: trigger ${row.id} could not start its workflow`, { error });
    }
    await this.deps.db
      .updateTable('workflow_trigger_firings')
      .set({ execution_id: executionId, error: error ?? null })
      .where('trigger_id', '=', row.id)
      .where('dedupe_key', '=', key)
      .execute();
    await this.deps.db
      .updateTable('workflow_triggers')
      .set((eb) => ({ fire_count: eb('fire_count', '+', 1), last_fired_at: now }))
      .where('id', '=', row.id)
      .execute();
    this.deps.emit('trigger:fired', row.team_name, {
      triggerId: row.id,
      workflowId: row.workflow_id,
      executionId,
      ...(error ? { error } : {}),
    });
  }

  private warn(error: unknown): void {
    this.deps.log.warn('workflows: trigger evaluation failed', { error: (error as Error)?.message ?? String(error) });
  }
}

const hash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 32);

/**
 * The key an event fires a trigger under, or undefined when it does not match: a webhook delivery's id,
 * a blackboard message's id, else a hash of the event's type and data (the same on every node).
 */
function dedupeKey(config: TriggerConfig, event: KeptEvent): string | undefined {
  const data = event.data;
  if (config.type === 'event') {
    if (event.type !== config.eventType || !matchesFilter(data, config.filter ?? {})) return undefined;
    return `event:${hash(`${event.type}\n${JSON.stringify(data)}`)}`;
  }
  if (config.type === 'webhook') {
    if (event.type !== 'webhook_received' || data.name !== config.path) return undefined;
    if (config.event !== undefined && data.event !== config.event) return undefined;
    if (config.action !== undefined && data.action !== config.action) return undefined;
    return `delivery:${String(data.deliveryId ?? data.id)}`;
  }
  if (config.type === 'blackboard') {
    const message = (data.message ?? {}) as Record<string, unknown>;
    if (event.type !== 'blackboard_message' || data.swarmId !== config.swarmId) return undefined;
    if (message.messageType !== config.messageType) return undefined;
    const payload = (message.payload ?? {}) as Record<string, unknown>;
    if (!matchesFilter(payload, config.filter ?? {})) return undefined;
    return `message:${String(message.id)}`;
  }
  return undefined;
}

import { randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { PluginContext } from '../../core/index.js';
import { tasksErrors } from './errors.js';
import type { BatchesTable, BatchStatus, TasksTables, WorkItemsTable, WorkItemStatus } from './tables.js';

export type { BatchStatus, WorkItemStatus } from './tables.js';
export const WORK_ITEM_STATUSES: readonly WorkItemStatus[] = [
  'pending',
  'in_progress',
  'completed',
  'blocked',
  'cancelled',
];

/** The seed's WorkItem (createdAt in ms), with its status history when fetched alone. */
export interface WorkItem {
  id: string;
  title: string;
  description: string | null;
  status: WorkItemStatus;
  assignedTo: string | null;
  batchId: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface WorkItemEvent {
  eventType: string;
  actor: string;
  fromStatus: string | null;
  toStatus: string | null;
  details: Record<string, unknown> | null;
  createdAt: number;
}

export interface Batch {
  id: string;
  name: string;
  status: BatchStatus;
  dispatchedTo: string | null;
  createdAt: number;
  updatedAt: number;
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A readable work item id, `wi-` and five letters or digits. */
export function newWorkItemId(): string {
  const bytes = randomBytes(5);
  return 'wi-' + [...bytes].map((b) => ALPHABET[b % ALPHABET.length]).join('');
}

const toItem = (row: WorkItemsTable): WorkItem => ({
  id: row.id,
  title: row.title,
  description: row.description,
  status: row.status,
  assignedTo: row.assigned_to,
  batchId: row.batch_id,
  createdAt: Number(row.created_at),
  updatedAt: Number(row.updated_at),
});

const toBatch = (row: BatchesTable): Batch => ({
  id: row.id,
  name: row.name,
  status: row.status,
  dispatchedTo: row.dispatched_to,
  createdAt: Number(row.created_at),
  updatedAt: Number(row.updated_at),
});

type Db = Kysely<TasksTables>;

/** Work items, their event history (work_item_events) and batches, scoped to one team per call. */
export class WorkItemService {
  readonly #db: Db;
  readonly #emit: PluginContext['events']['emit'];

  constructor(db: Db, emit: PluginContext['events']['emit']) {
    this.#db = db;
    this.#emit = emit;
  }

  async #event(
    db: Db,
    itemId: string,
    eventType: string,
    actor: string,
    fromStatus: string | null,
    toStatus: string | null,
    details?: Record<string, unknown>,
  ): Promise<void> {
    await db
      .insertInto('work_item_events')
      .values({
        work_item_id: itemId,
        event_type: eventType,
        actor,
        from_status: fromStatus,
        to_status: toStatus,
        details: details ? JSON.stringify(details) : null,
        created_at: Date.now(),
      })
      .execute();
  }

  async #requireBatch(db: Db, teamName: string, batchId: string): Promise<Batch> {
    const row = await db
      .selectFrom('batches')
      .selectAll()
      .where('team_name', '=', teamName)
      .where('id', '=', batchId)
      .executeTakeFirst();
    if (!row) throw tasksErrors.TASKS_BATCH_NOT_FOUND();
    return toBatch(row);
  }

  async create(
    teamName: string,
    actor: string,
    input: { title: string; description?: string | null; assignedTo?: string; batchId?: string },
  ): Promise<WorkItem> {
    const now = Date.now();
    const item = await this.#db.transaction().execute(async (trx) => {
      if (input.batchId)
        await this.#requireBatch(trx, teamName, input.batchId).catch(() =>
          Promise.reject(tasksErrors.TASKS_UNKNOWN_BATCH({ id: input.batchId! }, { field: 'batchId' })),
        );
      // Five base-36 characters collide rarely; a collision just draws again.
      for (let attempt = 0; attempt < 5; attempt++) {
        const id = newWorkItemId();
        const taken = await trx.selectFrom('work_items').select('id').where('id', '=', id).executeTakeFirst();
        if (taken) continue;
        await trx
          .insertInto('work_items')
          .values({
            id,
            team_name: teamName,
            title: input.title,
            description: input.description ?? null,
            status: 'pending',
            assigned_to: input.assignedTo ?? null,
            batch_id: input.batchId ?? null,
            created_at: now,
            updated_at: now,
          })
          .execute();
        await this.#event(
          trx,
          id,
          'created',
          actor,
          null,
          'pending',
          input.assignedTo ? { assignedTo: input.assignedTo } : undefined,
        );
        return toItem(await trx.selectFrom('work_items').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
      }
      throw new Error('could not draw a free work item id');
    });
    this.#emit('workitem_created', teamName, { workItem: item });
    return item;
  }

  async get(teamName: string, id: string): Promise<(WorkItem & { history: WorkItemEvent[] }) | undefined> {
    const row = await this.#db
      .selectFrom('work_items')
      .selectAll()
      .where('team_name', '=', teamName)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) return undefined;
    const events = await this.#db
      .selectFrom('work_item_events')
      .selectAll()
      .where('work_item_id', '=', id)
      .orderBy('id')
      .execute();
    return {
      ...toItem(row),
      history: events.map((e) => ({
        eventType: e.event_type,
        actor: e.actor,
        fromStatus: e.from_status,
        toStatus: e.to_status,
        details: e.details ? (JSON.parse(e.details) as Record<string, unknown>) : null,
        createdAt: Number(e.created_at),
      })),
    };
  }

  async list(
    teamName: string,
    filter: { status?: WorkItemStatus; assignee?: string; batchId?: string },
  ): Promise<WorkItem[]> {
    let q = this.#db.selectFrom('work_items').selectAll().where('team_name', '=', teamName);
    if (filter.status) q = q.where('status', '=', filter.status);
    if (filter.assignee) q = q.where('assigned_to', '=', filter.assignee);
    if (filter.batchId) q = q.where('batch_id', '=', filter.batchId);
    return (await q.orderBy('created_at').orderBy('id').limit(1000).execute()).map(toItem);
  }

  /** Change status, recording the change (and its reason) in the item's history. */
  async setStatus(
    teamName: string,
    id: string,
    status: WorkItemStatus,
    actor: string,
    reason?: string,
  ): Promise<WorkItem & { history: WorkItemEvent[] }> {
    await this.#db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom('work_items')
        .select('status')
        .where('team_name', '=', teamName)
        .where('id', '=', id)
        .executeTakeFirst();
      if (!row) throw tasksErrors.TASKS_WORK_ITEM_NOT_FOUND();
      await trx.updateTable('work_items').set({ status, updated_at: Date.now() }).where('id', '=', id).execute();
      await this.#event(trx, id, 'status_changed', actor, row.status, status, reason ? { reason } : undefined);
    });
    const item = (await this.get(teamName, id))!;
    this.#emit('workitem_updated', teamName, { workItem: item });
    if (status === 'completed') this.#emit('task_completed', teamName, { workItem: item });
    return item;
  }

  async createBatch(
    teamName: string,
    actor: string,
    name: string,
    workItemIds: readonly string[],
  ): Promise<Batch & { workItems: WorkItem[] }> {
    const id = randomUUID();
    const now = Date.now();
    await this.#db.transaction().execute(async (trx) => {
      await trx
        .insertInto('batches')
        .values({
          id,
          team_name: teamName,
          name,
          status: 'open',
          dispatched_to: null,
          created_at: now,
          updated_at: now,
        })
        .execute();
      for (const itemId of new Set(workItemIds)) {
        const result = await trx
          .updateTable('work_items')
          .set({ batch_id: id, updated_at: now })
          .where('team_name', '=', teamName)
          .where('id', '=', itemId)
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) === 0)
          throw tasksErrors.TASKS_UNKNOWN_WORK_ITEM({ id: itemId }, { field: 'workItemIds' });
        await this.#event(trx, itemId, 'batched', actor, null, null, { batchId: id });
      }
    });
    return (await this.getBatch(teamName, id))!;
  }

  async getBatch(teamName: string, id: string): Promise<(Batch & { workItems: WorkItem[] }) | undefined> {
    const row = await this.#db
      .selectFrom('batches')
      .selectAll()
      .where('team_name', '=', teamName)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) return undefined;
    return { ...toBatch(row), workItems: await this.list(teamName, { batchId: id }) };
  }

  async listBatches(teamName: string): Promise<Batch[]> {
    return (
      await this.#db
        .selectFrom('batches')
        .selectAll()
        .where('team_name', '=', teamName)
        .orderBy('created_at')
        .limit(1000)
        .execute()
    ).map(toBatch);
  }

  /** Assign every item of an open batch to a worker and mark the batch dispatched, in one transaction. */
  async markDispatched(
    teamName: string,
    batchId: string,
    worker: string,
    actor: string,
  ): Promise<Batch & { workItems: WorkItem[] }> {
    await this.#db.transaction().execute(async (trx) => {
      const batch = await this.#requireBatch(trx, teamName, batchId);
      if (batch.status !== 'open') throw tasksErrors.TASKS_BATCH_NOT_OPEN({ status: batch.status });
      const now = Date.now();
      const items = await trx.selectFrom('work_items').select('id').where('batch_id', '=', batchId).execute();
      await trx
        .updateTable('work_items')
        .set({ assigned_to: worker, updated_at: now })
        .where('batch_id', '=', batchId)
        .execute();
      for (const item of items) await this.#event(trx, item.id, 'dispatched', actor, null, null, { worker, batchId });
      await trx
        .updateTable('batches')
        .set({ status: 'dispatched', dispatched_to: worker, updated_at: now })
        .where('id', '=', batchId)
        .execute();
    });
    const batch = (await this.getBatch(teamName, batchId))!;
    this.#emit('task_assignment', teamName, { batch, worker });
    return batch;
  }
}

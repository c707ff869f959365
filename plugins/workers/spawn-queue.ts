import type { Kysely } from 'kysely';
import { workersErrors } from './errors.js';
import type { WorkersTables } from './tables.js';
import type { SpawnRequest } from './worker-store.js';

export interface QueueItem {
  id: number;
  handle: string;
  status: string;
  /** 1 for the next to start; null once it left the queue. */
  position: number | null;
  error: string | null;
  requestedBy: string;
  createdAt: string;
}

/**
 * Spawns waiting for a free worker slot, in the spawn_queue table so they survive restarts.
 * Taking the next one is a conditional UPDATE, so two drains never start the same spawn.
 */
export class SpawnQueue {
  constructor(private readonly db: Kysely<WorkersTables>) {}

  /** A spawn of this handle the team has queued refuses another; other teams' queued spawns are theirs. */
  async assertNotQueued(teamName: string, handle: string): Promise<void> {
    const row = await this.db
      .selectFrom('spawn_queue')
      .select('id')
      .where('team_name', '=', teamName)
      .where('handle', '=', handle)
      .where('status', '=', 'queued')
      .executeTakeFirst();
    if (row) throw workersErrors.WORKERS_ALREADY_QUEUED({ handle });
  }

  async add(request: SpawnRequest, requestedBy: string): Promise<number> {
    await this.assertNotQueued(request.teamName, request.handle);
    const now = Date.now();
    const row = await this.db
      .insertInto('spawn_queue')
      .values({
        team_name: request.teamName,
        handle: request.handle,
        request: JSON.stringify(request),
        requested_by: requestedBy,
        status: 'queued',
        error: null,
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(row.id);
  }

  async position(id: number): Promise<number> {
    const row = await this.db
      .selectFrom('spawn_queue')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', '=', 'queued')
      .where('id', '<=', id)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Spawns waiting, of every team (the metrics plugin's queue depth). */
  async depth(): Promise<number> {
    const row = await this.db
      .selectFrom('spawn_queue')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', '=', 'queued')
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** The oldest queued spawn, left queued; undefined when the queue is empty. */
  async peekNext(): Promise<{ id: number; request: SpawnRequest; requestedBy: string } | undefined> {
    const next = await this.db
      .selectFrom('spawn_queue')
      .selectAll()
      .where('status', '=', 'queued')
      .orderBy('id')
      .executeTakeFirst();
    if (!next) return undefined;
    return { id: Number(next.id), request: JSON.parse(next.request) as SpawnRequest, requestedBy: next.requested_by };
  }

  /** The oldest queued spawn, marked started; undefined when the queue is empty. */
  async takeNext(): Promise<{ id: number; request: SpawnRequest; requestedBy: string } | undefined> {
    for (;;) {
      const next = await this.db
        .selectFrom('spawn_queue')
        .selectAll()
        .where('status', '=', 'queued')
        .orderBy('id')
        .executeTakeFirst();
      if (!next) return undefined;
      const claimed = await this.db
        .updateTable('spawn_queue')
        .set({ status: 'started', updated_at: Date.now() })
        .where('id', '=', next.id)
        .where('status', '=', 'queued')
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) === 1)
        return {
          id: Number(next.id),
          request: JSON.parse(next.request) as SpawnRequest,
          requestedBy: next.requested_by,
        };
    }
  }

  async markFailed(id: number, error: string): Promise<void> {
    await this.db
      .updateTable('spawn_queue')
      .set({ status: 'failed', error, updated_at: Date.now() })
      .where('id', '=', id)
      .execute();
  }

  async item(teamName: string, id: number): Promise<QueueItem> {
    const row = await this.db
      .selectFrom('spawn_queue')
      .selectAll()
      .where('id', '=', id)
      .where('team_name', '=', teamName)
      .executeTakeFirst();
    if (!row) throw workersErrors.WORKERS_QUEUED_NOT_FOUND({ id });
    return {
      id: Number(row.id),
      handle: row.handle,
      status: row.status,
      position: row.status === 'queued' ? await this.position(Number(row.id)) : null,
      error: row.error,
      requestedBy: row.requested_by,
      createdAt: new Date(Number(row.created_at)).toISOString(),
    };
  }

  async queued(teamName: string): Promise<QueueItem[]> {
    const rows = await this.db
      .selectFrom('spawn_queue')
      .select('id')
      .where('team_name', '=', teamName)
      .where('status', '=', 'queued')
      .orderBy('id')
      .execute();
    return Promise.all(rows.map((row) => this.item(teamName, Number(row.id))));
  }

  async cancel(teamName: string, id: number): Promise<QueueItem> {
    const result = await this.db
      .updateTable('spawn_queue')
      .set({ status: 'cancelled', updated_at: Date.now() })
      .where('id', '=', id)
      .where('team_name', '=', teamName)
      .where('status', '=', 'queued')
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) {
      const item = await this.item(teamName, id);
      throw workersErrors.WORKERS_NOT_QUEUED({ id, status: item.status });
    }
    return this.item(teamName, id);
  }
}

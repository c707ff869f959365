import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { FleetEvent, FleetEventMap } from '../../../core/index.js';
import type { BlackboardTable, SwarmCoreTables } from '../tables.js';

export const MESSAGE_TYPES = ['request', 'response', 'status', 'directive', 'checkpoint'] as const;
export const PRIORITIES = ['critical', 'high', 'normal', 'low'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];
export type Priority = (typeof PRIORITIES)[number];

export interface BlackboardMessage {
  id: string;
  swarmId: string;
  senderHandle: string;
  messageType: string;
  targetHandle: string | null;
  priority: string;
  payload: Record<string, unknown>;
  readBy: string[];
  createdAt: string;
  archivedAt: string | null;
}

export interface PostInput {
  swarmId: string;
  senderHandle: string;
  messageType: MessageType;
  payload: Record<string, unknown>;
  targetHandle?: string;
  priority?: Priority;
}

export interface ReadQuery {
  /** Who reads: targeted messages of others are left out unless `all` (a lead). */
  viewer: string;
  all: boolean;
  messageType?: MessageType;
  priority?: Priority;
  /** Only those `reader` has not marked read. */
  unreadBy?: string;
  limit: number;
}

type Emit = (
  type: 'blackboard_message',
  team: string,
  data: FleetEventMap['blackboard_message'],
) => FleetEvent<FleetEventMap['blackboard_message']>;

const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

function view(row: BlackboardTable, readBy: string[]): BlackboardMessage {
  return {
    id: row.id,
    swarmId: row.swarm_id,
    senderHandle: row.sender_handle,
    messageType: row.message_type,
    targetHandle: row.target_handle,
    priority: row.priority,
    payload: JSON.parse(row.payload) as Record<string, unknown>,
    readBy,
    createdAt: iso(row.created_at)!,
    archivedAt: iso(row.archived_at),
  };
}

/**
 * A swarm's blackboard, persisted. Who may reach which swarm is the operations' business; here a
 * targeted message is seen only by its target and its sender (and by a reader allowed `all`).
 */
export class BlackboardService {
  constructor(private readonly deps: { db: Kysely<SwarmCoreTables>; emit: Emit }) {}

  async post(teamName: string, input: PostInput): Promise<BlackboardMessage> {
    const priority = input.priority ?? 'normal';
    const row: BlackboardTable = {
      id: randomUUID(),
      team_name: teamName,
      swarm_id: input.swarmId,
      sender_handle: input.senderHandle,
      message_type: input.messageType,
      target_handle: input.targetHandle ?? null,
      priority,
      priority_rank: PRIORITIES.indexOf(priority),
      payload: JSON.stringify(input.payload),
      created_at: Date.now(),
      archived_at: null,
    };
    await this.deps.db.insertInto('blackboard').values(row).execute();
    const message = view(row, []);
    // Everyone of the team may follow the swarm's topic: a targeted message goes out without its payload.
    const { payload: _payload, ...summary } = message;
    this.deps.emit('blackboard_message', teamName, {
      swarmId: input.swarmId,
      message: row.target_handle === null ? message : summary,
    });
    return message;
  }

  /** Unarchived messages, by priority (critical first), then newest first. */
  async read(teamName: string, swarmId: string, query: ReadQuery): Promise<BlackboardMessage[]> {
    let q = this.deps.db
      .selectFrom('blackboard')
      .selectAll()
      .where('team_name', '=', teamName)
      .where('swarm_id', '=', swarmId)
      .where('archived_at', 'is', null);
    if (!query.all)
      q = q.where((eb) =>
        eb.or([
          eb('target_handle', 'is', null),
          eb('target_handle', '=', query.viewer),
          eb('sender_handle', '=', query.viewer),
        ]),
      );
    if (query.messageType) q = q.where('message_type', '=', query.messageType);
    if (query.priority) q = q.where('priority', '=', query.priority);
    if (query.unreadBy !== undefined) {
      const reader = query.unreadBy;
      q = q.where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('blackboard_reads as r')
              .select('r.message_id')
              .whereRef('r.message_id', '=', 'blackboard.id')
              .where('r.reader_handle', '=', reader),
          ),
        ),
      );
    }
    const rows = await q
      .orderBy('priority_rank')
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .limit(query.limit)
      .execute();
    return this.#withReads(rows);
  }

  async #withReads(rows: BlackboardTable[]): Promise<BlackboardMessage[]> {
    if (rows.length === 0) return [];
    const reads = await this.deps.db
      .selectFrom('blackboard_reads')
      .select(['message_id', 'reader_handle'])
      .where(
        'message_id',
        'in',
        rows.map((row) => row.id),
      )
      .orderBy('read_at')
      .execute();
    const by = new Map<string, string[]>();
    for (const read of reads) by.set(read.message_id, [...(by.get(read.message_id) ?? []), read.reader_handle]);
    return rows.map((row) => view(row, by.get(row.id) ?? []));
  }

  /**
   * Mark messages read by `reader`: only the team's unarchived ones it may see, in the swarms
   * `swarms` allows (undefined: any). Returns how many were newly marked.
   */
  async markRead(
    teamName: string,
    reader: string,
    ids: readonly string[],
    options: { all: boolean; swarms?: readonly string[] },
  ): Promise<number> {
    let q = this.deps.db
      .selectFrom('blackboard')
      .select('id')
      .where('team_name', '=', teamName)
      .where('id', 'in', [...new Set(ids)]);
    if (options.swarms) q = q.where('swarm_id', 'in', options.swarms.length ? [...options.swarms] : ['']);
    if (!options.all)
      q = q.where((eb) =>
        eb.or([eb('target_handle', 'is', null), eb('target_handle', '=', reader), eb('sender_handle', '=', reader)]),
      );
    const visible = (await q.execute()).map((row) => row.id);
    if (visible.length === 0) return 0;
    const now = Date.now();
    const result = await this.deps.db
      .insertInto('blackboard_reads')
      .values(visible.map((id) => ({ message_id: id, reader_handle: reader, read_at: now })))
      .onConflict((oc) => oc.columns(['message_id', 'reader_handle']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0);
  }

  /** Archive the team's messages of these ids not archived yet; returns how many were. */
  async archive(teamName: string, ids: readonly string[]): Promise<number> {
    const result = await this.deps.db
      .updateTable('blackboard')
      .set({ archived_at: Date.now() })
      .where('team_name', '=', teamName)
      .where('id', 'in', [...new Set(ids)])
      .where('archived_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** Archive a swarm's unarchived messages older than maxAgeMs. */
  async archiveOld(teamName: string, swarmId: string, maxAgeMs: number): Promise<number> {
    const now = Date.now();
    const result = await this.deps.db
      .updateTable('blackboard')
      .set({ archived_at: now })
      .where('team_name', '=', teamName)
      .where('swarm_id', '=', swarmId)
      .where('archived_at', 'is', null)
      .where('created_at', '<', now - maxAgeMs)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }
}

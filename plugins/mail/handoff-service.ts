import type { Kysely } from 'kysely';
import type { PluginContext } from '../../core/index.js';
import { mailErrors } from './errors.js';
import type { HandoffsTable, MailTables } from './tables.js';

/** Context handed from one agent to another; `acceptedAt` stays null until the recipient accepts it. */
export interface Handoff {
  id: number;
  fromHandle: string;
  toHandle: string;
  context: Record<string, unknown>;
  status: 'pending' | 'delivered' | 'accepted';
  createdAt: number;
  acceptedAt: number | null;
}

type HandoffRow = Omit<HandoffsTable, 'id'> & { id: number };

const toHandoff = (row: HandoffRow): Handoff => ({
  id: Number(row.id),
  fromHandle: row.from_handle,
  toHandle: row.to_handle,
  context: JSON.parse(row.context) as Record<string, unknown>,
  status: row.status,
  createdAt: Number(row.created_at),
  acceptedAt: row.accepted_at === null ? null : Number(row.accepted_at),
});

/** Handoffs of one team: created, delivered in a worker's briefing, accepted by their recipient. */
export class HandoffService {
  readonly #db: Kysely<MailTables>;
  readonly #emit: PluginContext['events']['emit'];

  constructor(db: Kysely<MailTables>, emit: PluginContext['events']['emit']) {
    this.#db = db;
    this.#emit = emit;
  }

  async create(teamName: string, from: string, to: string, context: Record<string, unknown>): Promise<Handoff> {
    const row = {
      team_name: teamName,
      from_handle: from,
      to_handle: to,
      context: JSON.stringify(context),
      status: 'pending' as const,
      created_at: Date.now(),
      delivered_at: null,
      accepted_at: null,
    };
    const inserted = await this.#db.insertInto('handoffs').values(row).returning('id').executeTakeFirstOrThrow();
    const handoff = toHandoff({ ...row, id: Number(inserted.id) });
    this.#emit('handoff_created', teamName, { id: handoff.id, fromHandle: from, toHandle: to });
    return handoff;
  }

  async get(teamName: string, id: number): Promise<Handoff | undefined> {
    const row = await this.#db
      .selectFrom('handoffs')
      .selectAll()
      .where('team_name', '=', teamName)
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toHandoff(row) : undefined;
  }

  /** Handoffs for an agent that it has not accepted yet (delivered in a briefing or not), oldest first. */
  async open(teamName: string, handle: string): Promise<Handoff[]> {
    const rows = await this.#db
      .selectFrom('handoffs')
      .selectAll()
      .where('team_name', '=', teamName)
      .where('to_handle', '=', handle)
      .where('accepted_at', 'is', null)
      .orderBy('id')
      .execute();
    return rows.map(toHandoff);
  }

  /** Handoffs not yet put in a briefing. */
  async undelivered(teamName: string, handle: string): Promise<Handoff[]> {
    return (await this.open(teamName, handle)).filter((handoff) => handoff.status === 'pending');
  }

  async markDelivered(teamName: string, ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return;
    await this.#db
      .updateTable('handoffs')
      .set({ status: 'delivered', delivered_at: Date.now() })
      .where('team_name', '=', teamName)
      .where('id', 'in', [...ids])
      .where('status', '=', 'pending')
      .execute();
  }

  /** Accept once: a conditional UPDATE, so of two concurrent accepts one wins and the other gets 409. */
  async accept(teamName: string, id: number, acceptedBy: string): Promise<Handoff> {
    const result = await this.#db
      .updateTable('handoffs')
      .set({ status: 'accepted', accepted_at: Date.now() })
      .where('team_name', '=', teamName)
      .where('id', '=', id)
      .where('accepted_at', 'is', null)
      .executeTakeFirst();
    const handoff = await this.get(teamName, id);
    if (!handoff) throw mailErrors.MAIL_HANDOFF_NOT_FOUND({ id });
    if (Number(result.numUpdatedRows) === 0) throw mailErrors.MAIL_HANDOFF_ACCEPTED({ id });
    this.#emit('handoff_accepted', teamName, {
      id,
      fromHandle: handoff.fromHandle,
      toHandle: handoff.toHandle,
      acceptedBy,
    });
    return handoff;
  }
}

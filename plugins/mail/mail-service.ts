import { type FleetDb, type FleetEvent, notFound, type PublishInput } from '../../core/index.js';

/** The seed's mail object: `{id, fromHandle, toHandle, subject, body, readAt, createdAt}` (times in ms). */
export interface MailItem {
  id: number;
  fromHandle: string;
  toHandle: string;
  subject: string | null;
  body: string;
  readAt: number | null;
  createdAt: number;
}

export interface Handoff {
  id: number;
  fromHandle: string;
  toHandle: string;
  context: Record<string, unknown>;
  status: 'pending' | 'delivered';
  createdAt: number;
}

interface MailRow {
  id: number;
  from_handle: string;
  to_handle: string;
  subject: string | null;
  body: string;
  read_at: number | string | null;
  created_at: number | string;
}

interface HandoffRow {
  id: number;
  from_handle: string;
  to_handle: string;
  context: string;
  status: 'pending' | 'delivered';
  created_at: number | string;
}

const toMail = (row: MailRow): MailItem => ({
  id: Number(row.id),
  fromHandle: row.from_handle,
  toHandle: row.to_handle,
  subject: row.subject,
  body: row.body,
  readAt: row.read_at === null ? null : Number(row.read_at),
  createdAt: Number(row.created_at),
});

const toHandoff = (row: HandoffRow): Handoff => ({
  id: Number(row.id),
  fromHandle: row.from_handle,
  toHandle: row.to_handle,
  context: JSON.parse(row.context) as Record<string, unknown>,
  status: row.status,
  createdAt: Number(row.created_at),
});

type Publish = (input: PublishInput) => FleetEvent;

/** Mail between agents of a team (by handle) and handoffs of context. Always scoped to one team. */
export class MailService {
  readonly #db: FleetDb;
  readonly #publish: Publish;

  constructor(db: FleetDb, publish: Publish) {
    this.#db = db;
    this.#publish = publish;
  }

  async send(teamName: string, from: string, to: string, body: string, subject?: string): Promise<MailItem> {
    const now = Date.now();
    const row = await this.#db
      .insertInto('mailbox')
      .values({ team_name: teamName, from_handle: from, to_handle: to, subject: subject ?? null, body, read_at: null, created_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    const mail = toMail({ id: Number(row.id), from_handle: from, to_handle: to, subject: subject ?? null, body, read_at: null, created_at: now });
    // Teammates' sockets learn that mail arrived, not what it says.
    this.#publish({ topic: `team.${teamName}.mail`, type: 'new_mail', team: teamName, data: { id: mail.id, fromHandle: from, toHandle: to, subject: mail.subject } });
    return mail;
  }

  /** Newest first, as the seed returns it. */
  async list(teamName: string, handle: string, unreadOnly: boolean): Promise<MailItem[]> {
    let query = this.#db.selectFrom('mailbox').selectAll().where('team_name', '=', teamName).where('to_handle', '=', handle);
    if (unreadOnly) query = query.where('read_at', 'is', null);
    return ((await query.orderBy('id', 'desc').execute()) as MailRow[]).map(toMail);
  }

  async get(teamName: string, id: number): Promise<MailItem | undefined> {
    const row = await this.#db.selectFrom('mailbox').selectAll().where('team_name', '=', teamName).where('id', '=', id).executeTakeFirst();
    return row ? toMail(row as MailRow) : undefined;
  }

  async markRead(teamName: string, id: number): Promise<void> {
    const result = await this.#db.updateTable('mailbox').set({ read_at: Date.now() }).where('team_name', '=', teamName).where('id', '=', id).where('read_at', 'is', null).executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0 && !(await this.get(teamName, id))) throw notFound(`Mail ${id} not found`);
  }

  async unreadCount(teamName: string, handle: string): Promise<number> {
    const row = await this.#db
      .selectFrom('mailbox')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('team_name', '=', teamName)
      .where('to_handle', '=', handle)
      .where('read_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async createHandoff(teamName: string, from: string, to: string, context: Record<string, unknown>): Promise<Handoff> {
    const now = Date.now();
    const row = await this.#db
      .insertInto('handoffs')
      .values({ team_name: teamName, from_handle: from, to_handle: to, context: JSON.stringify(context), status: 'pending', created_at: now, delivered_at: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    const handoff = toHandoff({ id: Number(row.id), from_handle: from, to_handle: to, context: JSON.stringify(context), status: 'pending', created_at: now });
    this.#publish({ topic: `team.${teamName}.handoffs`, type: 'handoff_created', team: teamName, data: { id: handoff.id, fromHandle: from, toHandle: to } });
    return handoff;
  }

  async pendingHandoffs(teamName: string, handle: string): Promise<Handoff[]> {
    const rows = await this.#db
      .selectFrom('handoffs')
      .selectAll()
      .where('team_name', '=', teamName)
      .where('to_handle', '=', handle)
      .where('status', '=', 'pending')
      .orderBy('id')
      .execute();
    return (rows as HandoffRow[]).map(toHandoff);
  }

  async markHandoffsDelivered(teamName: string, ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return;
    await this.#db.updateTable('handoffs').set({ status: 'delivered', delivered_at: Date.now() }).where('team_name', '=', teamName).where('id', 'in', [...ids]).execute();
  }
}

import type { Kysely } from 'kysely';
import type { PluginContext } from '../../core/index.js';
import { mailErrors } from './errors.js';
import type { MailboxTable, MailTables } from './tables.js';

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

type MailRow = Omit<MailboxTable, 'id'> & { id: number };

const toMail = (row: MailRow): MailItem => ({
  id: Number(row.id),
  fromHandle: row.from_handle,
  toHandle: row.to_handle,
  subject: row.subject,
  body: row.body,
  readAt: row.read_at === null ? null : Number(row.read_at),
  createdAt: Number(row.created_at),
});

/** Mail between agents of a team, by handle. Always scoped to one team. */
export class MailService {
  readonly #db: Kysely<MailTables>;
  readonly #emit: PluginContext['events']['emit'];

  constructor(db: Kysely<MailTables>, emit: PluginContext['events']['emit']) {
    this.#db = db;
    this.#emit = emit;
  }

  async send(teamName: string, from: string, to: string, body: string, subject?: string): Promise<MailItem> {
    const row = {
      team_name: teamName,
      from_handle: from,
      to_handle: to,
      subject: subject ?? null,
      body,
      read_at: null,
      created_at: Date.now(),
    };
    const inserted = await this.#db.insertInto('mailbox').values(row).returning('id').executeTakeFirstOrThrow();
    const mail = toMail({ ...row, id: Number(inserted.id) });
    // Teammates' sockets learn that mail arrived, not what it says.
    this.#emit('new_mail', teamName, { id: mail.id, fromHandle: from, toHandle: to, subject: mail.subject });
    return mail;
  }

  /** Newest first, as the seed returns it. */
  async list(teamName: string, handle: string, unreadOnly: boolean): Promise<MailItem[]> {
    let query = this.#db
      .selectFrom('mailbox')
      .selectAll()
      .where('team_name', '=', teamName)
      .where('to_handle', '=', handle);
    if (unreadOnly) query = query.where('read_at', 'is', null);
    return (await query.orderBy('id', 'desc').execute()).map(toMail);
  }

  async get(teamName: string, id: number): Promise<MailItem | undefined> {
    const row = await this.#db
      .selectFrom('mailbox')
      .selectAll()
      .where('team_name', '=', teamName)
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toMail(row) : undefined;
  }

  async markRead(teamName: string, id: number): Promise<void> {
    const result = await this.#db
      .updateTable('mailbox')
      .set({ read_at: Date.now() })
      .where('team_name', '=', teamName)
      .where('id', '=', id)
      .where('read_at', 'is', null)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0 && !(await this.get(teamName, id))) throw mailErrors.MAIL_NOT_FOUND({ id });
  }

  /** The fleet's mail, all and unread (the metrics plugin): COUNT(*)s, the unread one on its own index. */
  async countAll(): Promise<{ total: number; unread: number }> {
    const [total, unread] = await Promise.all([
      this.#db
        .selectFrom('mailbox')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow(),
      this.#db
        .selectFrom('mailbox')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('read_at', 'is', null)
        .executeTakeFirstOrThrow(),
    ]);
    return { total: Number(total.n), unread: Number(unread.n) };
  }

  async unreadCount(teamName: string, handle: string): Promise<number> {
    const row = await this.#db
      .selectFrom('mailbox')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('team_name', '=', teamName)
      .where('to_handle', '=', handle)
      .where('read_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}

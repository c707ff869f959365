import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { AnyTransaction } from '../../core/index.js';
import { dmChatId, teamChatId } from './ids.js';
import type { ChatsTable, MailTables, MessagesTable } from './tables.js';

/** The seed's Message: a UUID id, `collab:<handle>` as sender label, status pending until read. */
export interface ChatMessage {
  id: string;
  chatId: string;
  fromHandle: string;
  fromUid: string;
  text: string;
  timestamp: string;
  status: 'pending' | 'read';
  metadata: Record<string, unknown>;
}

export interface ChatSummary {
  id: string;
  kind: 'dm' | 'team';
  teamName: string;
  participants: string[];
  unread: number;
  lastMessage: ChatMessage | null;
  updatedAt: string;
}

type MessageRow = Omit<MessagesTable, 'id'> & { id: number };

const toMessage = (row: MessageRow): ChatMessage => ({
  id: row.uuid,
  chatId: row.chat_id,
  fromHandle: `collab:${row.from_handle}`,
  fromUid: row.from_uid,
  text: row.text,
  timestamp: new Date(Number(row.created_at)).toISOString(),
  status: row.status,
  metadata: JSON.parse(row.metadata) as Record<string, unknown>,
});

export type ChatRef = { id: string; teamName: string };
export type Sender = { uid: string; handle: string };

/** Chats, members with unread counts, and messages. Each multi-row change is one transaction. */
export class ChatService {
  readonly #db: Kysely<MailTables>;
  readonly #join: (trx: AnyTransaction) => Transaction<MailTables>;

  constructor(db: Kysely<MailTables>, join: (trx: AnyTransaction) => Transaction<MailTables>) {
    this.#db = db;
    this.#join = join;
  }

  async get(chatId: string): Promise<ChatsTable | undefined> {
    return this.#db.selectFrom('chats').selectAll().where('id', '=', chatId).executeTakeFirst();
  }

  /** Members of a DM are its two agents; every agent of a team belongs to its team chat. */
  async isMember(chatId: string, uid: string, teamName: string): Promise<boolean> {
    const chat = await this.get(chatId);
    if (!chat || chat.team_name !== teamName) return false;
    if (chat.kind === 'team') return true;
    const row = await this.#db
      .selectFrom('chat_members')
      .select('uid')
      .where('chat_id', '=', chatId)
      .where('uid', '=', uid)
      .executeTakeFirst();
    return row !== undefined;
  }

  /**
   * Create the DM between two agents of a team if it does not exist; idempotent. Inside `trx` when
   * given (another plugin's transaction).
   */
  async ensureDm(teamName: string, uid1: string, uid2: string, trx?: AnyTransaction): Promise<string> {
    const id = dmChatId(uid1, uid2);
    if (trx) await this.#ensureChat(this.#join(trx), id, teamName, 'dm', [uid1, uid2]);
    else await this.#db.transaction().execute((own) => this.#ensureChat(own, id, teamName, 'dm', [uid1, uid2]));
    return id;
  }

  /** The team chat, with every given agent a member (so unread counts reach newcomers too). */
  async ensureTeamChat(teamName: string, memberUids: readonly string[]): Promise<string> {
    const id = teamChatId(teamName);
    await this.#db.transaction().execute((trx) => this.#ensureChat(trx, id, teamName, 'team', memberUids));
    return id;
  }

  async #ensureChat(
    trx: Transaction<MailTables>,
    id: string,
    teamName: string,
    kind: 'dm' | 'team',
    memberUids: readonly string[],
  ): Promise<void> {
    const now = Date.now();
    await trx
      .insertInto('chats')
      .values({ id, team_name: teamName, kind, created_at: now, updated_at: now })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
    if (memberUids.length === 0) return;
    await trx
      .insertInto('chat_members')
      .values(memberUids.map((uid) => ({ chat_id: id, uid, unread: 0 })))
      .onConflict((oc) => oc.columns(['chat_id', 'uid']).doNothing())
      .execute();
  }

  /** Post a message: insert it, bump the chat's time and every other member's unread count, in one transaction. */
  async post(chat: ChatRef, from: Sender, text: string, metadata: Record<string, unknown>): Promise<ChatMessage> {
    return this.#db.transaction().execute((trx) => this.#record(trx, chat, from, text, metadata));
  }

  /** The writes of `post`, inside another plugin's transaction (a task and its assignment DM commit together). */
  async record(
    trx: AnyTransaction,
    chat: ChatRef,
    from: Sender,
    text: string,
    metadata: Record<string, unknown>,
  ): Promise<ChatMessage> {
    return this.#record(this.#join(trx), chat, from, text, metadata);
  }

  async #record(
    trx: Transaction<MailTables>,
    chat: ChatRef,
    from: Sender,
    text: string,
    metadata: Record<string, unknown>,
  ): Promise<ChatMessage> {
    const now = Date.now();
    const row = {
      uuid: randomUUID(),
      chat_id: chat.id,
      from_uid: from.uid,
      from_handle: from.handle,
      text,
      metadata: JSON.stringify(metadata),
      status: 'pending' as const,
      created_at: now,
    };
    const inserted = await trx.insertInto('messages').values(row).returning('id').executeTakeFirstOrThrow();
    await trx.updateTable('chats').set({ updated_at: now }).where('id', '=', chat.id).execute();
    await trx
      .updateTable('chat_members')
      .set((eb) => ({ unread: eb('unread', '+', 1) }))
      .where('chat_id', '=', chat.id)
      .where('uid', '!=', from.uid)
      .execute();
    return toMessage({ ...row, id: Number(inserted.id) });
  }

  /** The internal sequence of a message of a chat, for cursors; undefined when it is not there. */
  async seqOf(chatId: string, messageId: string): Promise<number | undefined> {
    const row = await this.#db
      .selectFrom('messages')
      .select('id')
      .where('chat_id', '=', chatId)
      .where('uuid', '=', messageId)
      .executeTakeFirst();
    return row ? Number(row.id) : undefined;
  }

  /** Messages in order: the latest `limit`, or those after / before a message (cursors both ways, by sequence). */
  async list(chatId: string, page: { limit: number; afterSeq?: number; beforeSeq?: number }): Promise<ChatMessage[]> {
    let query = this.#db.selectFrom('messages').selectAll().where('chat_id', '=', chatId);
    if (page.afterSeq !== undefined) query = query.where('id', '>', page.afterSeq);
    if (page.beforeSeq !== undefined) query = query.where('id', '<', page.beforeSeq);
    const ascending = page.afterSeq !== undefined && page.beforeSeq === undefined;
    const rows = await query
      .orderBy('id', ascending ? 'asc' : 'desc')
      .limit(page.limit)
      .execute();
    const messages = rows.map(toMessage);
    return ascending ? messages : messages.reverse();
  }

  /** Zero the reader's unread count; the others' messages it has now seen become `read`. */
  async markRead(chatId: string, uid: string): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      await trx
        .updateTable('chat_members')
        .set({ unread: 0 })
        .where('chat_id', '=', chatId)
        .where('uid', '=', uid)
        .execute();
      await trx
        .updateTable('messages')
        .set({ status: 'read' })
        .where('chat_id', '=', chatId)
        .where('status', '=', 'pending')
        .where('from_uid', '!=', uid)
        .execute();
    });
  }

  /** An agent's chats, newest activity first, each with its unread count and last message. */
  async chatsOf(uid: string, teamName: string): Promise<ChatSummary[]> {
    const rows = await this.#db
      .selectFrom('chat_members as m')
      .innerJoin('chats as c', 'c.id', 'm.chat_id')
      .select(['c.id', 'c.kind', 'c.team_name', 'c.updated_at', 'm.unread'])
      .where('m.uid', '=', uid)
      .where('c.team_name', '=', teamName)
      .orderBy('c.updated_at', 'desc')
      .execute();
    return Promise.all(
      rows.map(async (row) => {
        const members = await this.#db
          .selectFrom('chat_members')
          .select('uid')
          .where('chat_id', '=', row.id)
          .orderBy('uid')
          .execute();
        const [last] = await this.list(row.id, { limit: 1 });
        return {
          id: row.id,
          kind: row.kind,
          teamName: row.team_name,
          participants: members.map((member) => member.uid),
          unread: Number(row.unread),
          lastMessage: last ?? null,
          updatedAt: new Date(Number(row.updated_at)).toISOString(),
        };
      }),
    );
  }

  async unreadTotal(uid: string): Promise<number> {
    const row = await this.#db
      .selectFrom('chat_members')
      .select((eb) => eb.fn.sum<number>('unread').as('n'))
      .where('uid', '=', uid)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  /** Messages in the chats of one team, or of the fleet when teamName is undefined. */
  async countMessages(teamName?: string): Promise<number> {
    const row =
      teamName === undefined
        ? await this.#db
            .selectFrom('messages')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        : await this.#db
            .selectFrom('messages')
            .innerJoin('chats', 'chats.id', 'messages.chat_id')
            .where('chats.team_name', '=', teamName)
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}

import type { FleetDb, FleetEvent, PublishInput } from '../../core/index.js';
import { dmChatId, teamChatId } from './ids.js';

export interface ChatMessage {
  id: number;
  chatId: string;
  /** The seed's sender label, `collab:<handle>`. */
  fromHandle: string;
  fromUid: string;
  text: string;
  timestamp: string;
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

interface ChatRow {
  id: string;
  team_name: string;
  kind: 'dm' | 'team';
  updated_at: number | string;
}

interface MessageRow {
  id: number;
  chat_id: string;
  from_uid: string;
  from_handle: string;
  text: string;
  metadata: string;
  created_at: number | string;
}

const toMessage = (row: MessageRow): ChatMessage => ({
  id: Number(row.id),
  chatId: row.chat_id,
  fromHandle: `collab:${row.from_handle}`,
  fromUid: row.from_uid,
  text: row.text,
  timestamp: new Date(Number(row.created_at)).toISOString(),
  metadata: JSON.parse(row.metadata) as Record<string, unknown>,
});

type Publish = (input: PublishInput) => FleetEvent;
type ChatRef = { id: string; teamName: string };
type Sender = { uid: string; handle: string };
/** The WebSocket event a message goes out as (`new_message`, `broadcast`, `task_assigned`) and extra fields. */
export type MessageEvent = { type: string; extra?: Record<string, unknown> };

/** Chats, members with unread counts, and messages. Each multi-row change is one transaction. */
export class ChatService {
  readonly #db: FleetDb;
  readonly #publish: Publish;

  constructor(db: FleetDb, publish: Publish) {
    this.#db = db;
    this.#publish = publish;
  }

  async get(chatId: string): Promise<ChatRow | undefined> {
    return (await this.#db.selectFrom('chats').selectAll().where('id', '=', chatId).executeTakeFirst()) as ChatRow | undefined;
  }

  /** Members of a DM are its two agents; every agent of a team belongs to its team chat. */
  async isMember(chatId: string, uid: string, teamName: string): Promise<boolean> {
    const chat = await this.get(chatId);
    if (!chat || chat.team_name !== teamName) return false;
    if (chat.kind === 'team') return true;
    const row = await this.#db.selectFrom('chat_members').select('uid').where('chat_id', '=', chatId).where('uid', '=', uid).executeTakeFirst();
    return row !== undefined;
  }

  /** Create the DM between two agents of a team if it does not exist; idempotent. Runs in `db` (a transaction, if given). */
  async ensureDm(teamName: string, uid1: string, uid2: string, db: FleetDb = this.#db): Promise<string> {
    const id = dmChatId(uid1, uid2);
    await this.#ensureChat(db, id, teamName, 'dm', [uid1, uid2]);
    return id;
  }

  /** The team chat, with every given agent a member (so unread counts reach newcomers too). */
  async ensureTeamChat(teamName: string, memberUids: readonly string[]): Promise<string> {
    const id = teamChatId(teamName);
    await this.#ensureChat(this.#db, id, teamName, 'team', memberUids);
    return id;
  }

  async #ensureChat(db: FleetDb, id: string, teamName: string, kind: 'dm' | 'team', memberUids: readonly string[]): Promise<void> {
    const now = Date.now();
    const write = async (trx: FleetDb) => {
      await trx.insertInto('chats').values({ id, team_name: teamName, kind, created_at: now, updated_at: now }).onConflict((oc) => oc.column('id').doNothing()).execute();
      if (memberUids.length === 0) return;
      await trx
        .insertInto('chat_members')
        .values(memberUids.map((uid) => ({ chat_id: id, uid, unread: 0 })))
        .onConflict((oc) => oc.columns(['chat_id', 'uid']).doNothing())
        .execute();
    };
    if (db.isTransaction) await write(db);
    else await db.transaction().execute(write);
  }

  /**
   * Post a message: insert it, bump the chat's time and every other member's unread count, in one
   * transaction; then publish `event.type` to the chat's subscribers.
   */
  async post(chat: ChatRef, from: Sender, text: string, metadata: Record<string, unknown>, event: MessageEvent = { type: 'new_message' }): Promise<ChatMessage> {
    const message = await this.#db.transaction().execute((trx) => this.record(trx, chat, from, text, metadata));
    this.announce(chat, message, event);
    return message;
  }

  /** The writes of `post`, inside a caller's transaction; call `announce` after it commits. */
  async record(trx: FleetDb, chat: ChatRef, from: Sender, text: string, metadata: Record<string, unknown>): Promise<ChatMessage> {
    const now = Date.now();
    const row = { chat_id: chat.id, from_uid: from.uid, from_handle: from.handle, text, metadata: JSON.stringify(metadata), created_at: now };
    const inserted = await trx.insertInto('messages').values(row).returning('id').executeTakeFirstOrThrow();
    await trx.updateTable('chats').set({ updated_at: now }).where('id', '=', chat.id).execute();
    await trx
      .updateTable('chat_members')
      .set((eb) => ({ unread: eb('unread', '+', 1) }))
      .where('chat_id', '=', chat.id)
      .where('uid', '!=', from.uid)
      .execute();
    return toMessage({ id: Number(inserted.id), ...row });
  }

  /** Tell the chat's subscribers about a recorded message. */
  announce(chat: ChatRef, message: ChatMessage, event: MessageEvent = { type: 'new_message' }): void {
    this.#publish({
      topic: `team.${chat.teamName}.chat.${chat.id}`,
      type: event.type,
      team: chat.teamName,
      data: { chatId: chat.id, message, handle: message.fromHandle.replace(/^collab:/, ''), ...event.extra },
    });
  }

  /** Messages in id order: the latest `limit`, or those after / before a message id (cursors both ways). */
  async list(chatId: string, page: { limit: number; after?: number; before?: number }): Promise<ChatMessage[]> {
    let query = this.#db.selectFrom('messages').selectAll().where('chat_id', '=', chatId);
    if (page.after !== undefined) query = query.where('id', '>', page.after);
    if (page.before !== undefined) query = query.where('id', '<', page.before);
    const ascending = page.after !== undefined && page.before === undefined;
    const rows = (await query.orderBy('id', ascending ? 'asc' : 'desc').limit(page.limit).execute()) as MessageRow[];
    const messages = rows.map(toMessage);
    return ascending ? messages : messages.reverse();
  }

  async markRead(chatId: string, uid: string): Promise<void> {
    await this.#db.updateTable('chat_members').set({ unread: 0 }).where('chat_id', '=', chatId).where('uid', '=', uid).execute();
  }

  /** An agent's chats, newest activity first, each with its unread count and last message. */
  async chatsOf(uid: string, teamName: string): Promise<ChatSummary[]> {
    const rows = (await this.#db
      .selectFrom('chat_members as m')
      .innerJoin('chats as c', 'c.id', 'm.chat_id')
      .select(['c.id', 'c.kind', 'c.team_name', 'c.updated_at', 'm.unread'])
      .where('m.uid', '=', uid)
      .where('c.team_name', '=', teamName)
      .orderBy('c.updated_at', 'desc')
      .execute()) as (ChatRow & { unread: number })[];
    return Promise.all(
      rows.map(async (row) => {
        const members = await this.#db.selectFrom('chat_members').select('uid').where('chat_id', '=', row.id).orderBy('uid').execute();
        const [last] = await this.list(row.id, { limit: 1 });
        return {
          id: row.id,
          kind: row.kind,
          teamName: row.team_name,
          participants: members.map((m) => m.uid as string),
          unread: Number(row.unread),
          lastMessage: last ?? null,
          updatedAt: new Date(Number(row.updated_at)).toISOString(),
        };
      }),
    );
  }

  async unreadTotal(uid: string): Promise<number> {
    const row = await this.#db.selectFrom('chat_members').select((eb) => eb.fn.sum<number>('unread').as('n')).where('uid', '=', uid).executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async countMessages(): Promise<number> {
    const row = await this.#db.selectFrom('messages').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }
}

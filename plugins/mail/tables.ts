import type { Generated } from 'kysely';
import { defineTables } from '../../core/index.js';

/** Times are ms since the epoch. */
export interface ChatsTable {
  id: string;
  team_name: string;
  kind: 'dm' | 'team';
  created_at: number;
  updated_at: number;
}

export interface ChatMembersTable {
  chat_id: string;
  uid: string;
  unread: number;
}

export interface MessagesTable {
  /** Internal order and cursor; the public id is `uuid`. */
  id: Generated<number>;
  uuid: string;
  chat_id: string;
  from_uid: string;
  from_handle: string;
  text: string;
  /** JSON object. */
  metadata: string;
  status: 'pending' | 'read';
  created_at: number;
}

export interface MailboxTable {
  id: Generated<number>;
  team_name: string;
  from_handle: string;
  to_handle: string;
  subject: string | null;
  body: string;
  read_at: number | null;
  created_at: number;
}

export interface HandoffsTable {
  id: Generated<number>;
  team_name: string;
  from_handle: string;
  to_handle: string;
  /** JSON object. */
  context: string;
  status: 'pending' | 'delivered' | 'accepted';
  created_at: number;
  delivered_at: number | null;
  accepted_at: number | null;
}

export interface MailTables {
  chats: ChatsTable;
  chat_members: ChatMembersTable;
  messages: MessagesTable;
  mailbox: MailboxTable;
  handoffs: HandoffsTable;
}

export const mailTables = defineTables<MailTables>({
  chats: 'DM and team chats, with the seed ids (sha256 of the sorted uids, or of team:<name>)',
  chat_members: 'Who belongs to each chat, with their unread count',
  messages: 'Chat messages: a UUID id, the sender, text, metadata, pending or read',
  mailbox: 'Mail between agents of a team, by handle; read_at once read',
  handoffs: 'Context handed from one agent to another: pending, delivered in a briefing, or accepted',
});

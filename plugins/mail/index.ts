import { definePlugin } from '../../core/index.js';
import type { AuthApi } from '../auth/index.js';
import { briefingFor } from './briefing.js';
import { type ChatMessage, type ChatRef, ChatService, type Sender } from './chat-service.js';
import { mailErrors } from './errors.js';
import { mailEvents } from './events.js';
import { HandoffService } from './handoff-service.js';
import { MailService } from './mail-service.js';
import { chatsMigration } from './migrations/0001-chats.js';
import { mailboxMigration } from './migrations/0002-mailbox.js';
import { messageIdsAndHandoffAcceptanceMigration } from './migrations/0003-message-ids-and-handoff-acceptance.js';
import { mailboxUnreadIndexMigration } from './migrations/0004-mailbox-unread-index.js';
import { chatOperations } from './operations-chats.js';
import { mailOperations } from './operations-mail.js';
import { mailTables } from './tables.js';
import { fileURLToPath } from 'node:url';

export { dmChatId, teamChatId } from './ids.js';
export type { ChatMessage, ChatRef, Sender } from './chat-service.js';
export type { ChatMessageEvent } from './events.js';
export type { Handoff } from './handoff-service.js';
export type { MailItem } from './mail-service.js';

/** What dependents (and this plugin's operations) get from ctx.use('mail'). */
export interface MailApi {
  chats: ChatService;
  mail: MailService;
  handoffs: HandoffService;
  auth(): AuthApi;
  /** Post to a chat and tell its subscribers (`new_message` or `broadcast`). */
  post(
    chat: ChatRef,
    from: Sender,
    text: string,
    metadata: Record<string, unknown>,
    type: 'new_message' | 'broadcast',
  ): Promise<ChatMessage>;
  /** Unread mail and undelivered handoffs as text for a worker's first prompt (handoffs become delivered). */
  briefing(teamName: string, handle: string): Promise<string | undefined>;
}

export const mail = definePlugin({
  name: 'mail',
  description: 'Chats (DMs, team broadcast), persistent mail and handoffs between agents.',
  dependsOn: ['auth'],
  tables: mailTables,
  migrations: {
    '0001_chats': chatsMigration,
    '0002_mailbox': mailboxMigration,
    '0003_message_ids_and_handoff_acceptance': messageIdsAndHandoffAcceptanceMigration,
    '0004_mailbox_unread_index': mailboxUnreadIndexMigration,
  },
  errors: mailErrors,
  events: mailEvents,
  operations: [...chatOperations, ...mailOperations],
  // A chat's messages reach only the sockets of its members that subscribed to it.
  topics: [
    {
      prefix: 'chat',
      key: 'chatId',
      authorize: (identity, chatId, api: MailApi) => api.chats.isMember(chatId, identity.uid, identity.teamName),
    },
  ],
  panel: { entry: fileURLToPath(new URL('./panel/index.js', import.meta.url)), title: 'Mail', order: 40 },
  setup(ctx): MailApi {
    const auth = () => ctx.use<AuthApi>('auth');
    const chats = new ChatService(ctx.db, ctx.join);
    const mailbox = new MailService(ctx.db, ctx.events.emit);
    const handoffs = new HandoffService(ctx.db, ctx.events.emit);
    ctx.health.count('messages', (team) => chats.countMessages(team));
    ctx.onStop(
      auth().addStatusSection('unread', async (teamName, uid) => {
        const agent = await auth().agents.get(uid);
        return {
          mail: agent ? await mailbox.unreadCount(teamName, agent.handle) : 0,
          chats: await chats.unreadTotal(uid),
        };
      }),
    );
    return {
      chats,
      mail: mailbox,
      handoffs,
      auth,
      async post(chat, from, text, metadata, type) {
        const message = await chats.post(chat, from, text, metadata);
        ctx.events.emit(type, chat.teamName, { chatId: chat.id, message, handle: from.handle });
        return message;
      },
      briefing: (teamName, handle) => briefingFor(mailbox, handoffs, teamName, handle),
    };
  },
});

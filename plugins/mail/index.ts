import { definePlugin } from '../../core/index.js';
import type { AuthApi } from '../auth/index.js';
import { briefingFor } from './briefing.js';
import { ChatService } from './chat-service.js';
import { MailService } from './mail-service.js';
import { chatsMigration } from './migrations/0001-chats.js';
import { mailboxMigration } from './migrations/0002-mailbox.js';
import { registerChatRoutes } from './routes-chats.js';
import { registerMailRoutes } from './routes-mail.js';
import { mailTools } from './tools.js';

export { dmChatId, teamChatId } from './ids.js';
export type { ChatMessage } from './chat-service.js';
export type { Handoff, MailItem } from './mail-service.js';

/** What dependents get from ctx.use('mail'). */
export interface MailApi {
  chats: ChatService;
  mail: MailService;
  /** Unread mail and pending handoffs as text for a worker's first prompt (handoffs become delivered). */
  briefing(teamName: string, handle: string): Promise<string | undefined>;
}

export const mail = definePlugin({
  name: 'mail',
  description: 'Chats (DMs, team broadcast), persistent mail and handoffs between agents.',
  dependsOn: ['auth'],
  migrations: { '0001_chats': chatsMigration, '0002_mailbox': mailboxMigration },
  setup(ctx): MailApi {
    const auth = () => ctx.use<AuthApi>('auth');
    const publish = ctx.events.publish;
    const chats = new ChatService(ctx.db, publish);
    const mailbox = new MailService(ctx.db, publish);
    registerChatRoutes(ctx.router, chats, auth);
    registerMailRoutes(ctx.router, mailbox);
    for (const tool of mailTools(auth, chats, mailbox)) ctx.tools.register(tool);
    ctx.ws.authorizeChat((identity, chatId) => chats.isMember(chatId, identity.uid, identity.teamName));
    ctx.health.count('messages', () => chats.countMessages());
    ctx.onStop(
      auth().addStatusSection('unread', async (teamName, uid) => {
        const agent = await auth().agents.get(uid);
        return { mail: agent ? await mailbox.unreadCount(teamName, agent.handle) : 0, chats: await chats.unreadTotal(uid) };
      }),
    );
    return { chats, mail: mailbox, briefing: (teamName, handle) => briefingFor(mailbox, teamName, handle) };
  },
});

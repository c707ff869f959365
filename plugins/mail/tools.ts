import * as v from 'valibot';
import { defineTool, handleSchema, notFound, type ToolSpec } from '../../core/index.js';
import type { AuthApi } from '../auth/index.js';
import type { ChatService } from './chat-service.js';
import { jsonObject } from './json-object.js';
import type { MailService } from './mail-service.js';

const text = (max: number) => v.pipe(v.string('must be a string'), v.minLength(1, 'is required'), v.maxLength(max, `must be at most ${max} characters`));

export function mailTools(auth: () => AuthApi, chats: ChatService, mail: MailService): ToolSpec<any>[] {
  const mailSend = defineTool({
    name: 'mail_send',
    description: 'Send mail to an agent of your team (it waits in their mailbox, and in their first prompt if they are spawned later).',
    input: v.object({ to: handleSchema, body: text(50_000), subject: v.optional(v.pipe(v.string(), v.maxLength(200, 'must be at most 200 characters'))) }),
    handler: (args, caller) => mail.send(caller.teamName, caller.handle, args.to, args.body, args.subject),
  });

  const mailRead = defineTool({
    name: 'mail_read',
    description: 'Read your mail, newest first: unread (default) or all; mark_read marks what is returned as read.',
    input: v.object({ filter: v.optional(v.picklist(['unread', 'all'], 'must be unread or all')), mark_read: v.optional(v.boolean('must be true or false')) }),
    async handler(args, caller) {
      const items = await mail.list(caller.teamName, caller.handle, (args.filter ?? 'unread') === 'unread');
      if (args.mark_read) for (const item of items) if (item.readAt === null) await mail.markRead(caller.teamName, item.id);
      return items;
    },
  });

  return [
    defineTool({
      name: 'team_broadcast',
      description: 'Post a message to your whole team chat.',
      lead: true,
      input: v.object({ message: text(50_000) }),
      async handler(args, caller) {
        const members = await auth().agents.listTeam(caller.teamName);
        const chatId = await chats.ensureTeamChat(caller.teamName, members.map((m) => m.uid));
        return chats.post({ id: chatId, teamName: caller.teamName }, caller, args.message, { isBroadcast: true }, { type: 'broadcast' });
      },
    }),
    defineTool({
      name: 'team_send',
      description: 'Send a direct message to a teammate (a running worker also receives it as input).',
      input: v.object({ handle: handleSchema, message: text(50_000) }),
      async handler(args, caller) {
        const target = await auth().agents.findByHandle(caller.teamName, args.handle);
        if (!target) throw notFound(`Agent ${args.handle} not found`);
        const chatId = await chats.ensureDm(caller.teamName, caller.uid, target.uid);
        return chats.post({ id: chatId, teamName: caller.teamName }, caller, args.message, { toHandle: target.handle });
      },
    }),
    mailSend,
    mailRead,
    defineTool({
      name: 'team_handoff',
      description: 'Hand your context (files, state, notes) over to another agent of your team.',
      input: v.object({ to: handleSchema, context: jsonObject() }),
      handler: (args, caller) => mail.createHandoff(caller.teamName, caller.handle, args.to, args.context),
    }),
    { ...mailSend, name: 'send_message', description: `Alias of mail_send. ${mailSend.description}` },
    { ...mailRead, name: 'read_messages', description: `Alias of mail_read. ${mailRead.description}` },
  ];
}

import * as v from 'valibot';
import { badRequest, forbidden, handleSchema, type Identity, intString, notFound, uidSchema } from '../../core/index.js';
import type { PluginRouter } from '../../core/http/plugin-router.js';
import type { AuthApi } from '../auth/index.js';
import { actingAgent } from './access.js';
import { jsonObject } from './json-object.js';
import type { ChatService } from './chat-service.js';

const chatIdSchema = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a chat id'));
const textSchema = v.pipe(v.string('must be a string'), v.minLength(1, 'is required'), v.maxLength(50_000, 'must be at most 50000 characters'));
const metadataSchema = v.optional(jsonObject());

export function registerChatRoutes(router: PluginRouter, chats: ChatService, auth: () => AuthApi): void {
  /** A chat the caller may see: 404 for chats of other teams (their existence is not ours to reveal), 403 for DMs of others. */
  const visibleChat = async (identity: Identity, chatId: string, memberUid = identity.uid) => {
    const chat = await chats.get(chatId);
    if (!chat || chat.team_name !== identity.teamName) throw notFound('Chat not found');
    if (!(await chats.isMember(chatId, memberUid, identity.teamName))) throw forbidden('Not a member of this chat');
    return chat;
  };

  router.get('/users/:uid', { summary: 'An agent of your team', params: v.object({ uid: uidSchema }) }, async ({ params, identity }) => {
    const agent = await auth().agents.get(params.uid);
    if (!agent || agent.teamName !== identity.teamName) throw notFound('User not found');
    return agent;
  });

  router.get('/users/:uid/chats', { summary: "An agent's chats with unread counts (yours, or your team's for a lead)", params: v.object({ uid: uidSchema }) }, async ({ params, identity }) => {
    const agent = await actingAgent(auth(), identity, params.uid, 'uid');
    return chats.chatsOf(agent.uid, identity.teamName);
  });

  router.post(
    '/chats',
    { summary: 'Create (or get) the DM between two agents of your team', body: v.object({ uid1: uidSchema, uid2: uidSchema }) },
    async ({ body, identity }) => {
      if (body.uid1 === body.uid2) throw badRequest('uid2: Cannot create chat with yourself');
      if (identity.agentType !== 'team-lead' && body.uid1 !== identity.uid && body.uid2 !== identity.uid) {
        throw forbidden('uid1: you may open chats only with yourself in them; team leads may open them for their team');
      }
      for (const field of ['uid1', 'uid2'] as const) {
        const agent = await auth().agents.get(body[field]);
        if (!agent || agent.teamName !== identity.teamName) throw notFound(`User ${field} not found`);
      }
      return { chatId: await chats.ensureDm(identity.teamName, body.uid1, body.uid2) };
    },
  );

  router.get(
    '/chats/:chatId/messages',
    {
      summary: 'Messages of a chat: the latest, or after/before a message id (cursors both ways)',
      params: v.object({ chatId: chatIdSchema }),
      query: v.object({ limit: v.optional(intString(1, 100)), after: v.optional(intString(0, Number.MAX_SAFE_INTEGER)), before: v.optional(intString(1, Number.MAX_SAFE_INTEGER)) }),
    },
    async ({ params, query, identity }) => {
      await visibleChat(identity, params.chatId);
      return chats.list(params.chatId, { limit: query.limit ?? 50, after: query.after, before: query.before });
    },
  );

  router.post(
    '/chats/:chatId/messages',
    {
      summary: 'Post a message to a chat you belong to',
      params: v.object({ chatId: chatIdSchema }),
      body: v.object({ from: v.optional(uidSchema), text: textSchema, metadata: metadataSchema }),
    },
    async ({ params, body, identity }) => {
      const sender = await actingAgent(auth(), identity, body.from, 'from');
      await visibleChat(identity, params.chatId, sender.uid);
      return chats.post({ id: params.chatId, teamName: identity.teamName }, sender, body.text, body.metadata ?? {});
    },
  );

  router.post(
    '/chats/:chatId/read',
    { summary: "Mark a chat read (for you, or for a teammate if you lead)", params: v.object({ chatId: chatIdSchema }), body: v.object({ uid: v.optional(uidSchema) }) },
    async ({ params, body, identity }) => {
      const reader = await actingAgent(auth(), identity, body.uid, 'uid');
      await visibleChat(identity, params.chatId, reader.uid);
      await chats.markRead(params.chatId, reader.uid);
      return { success: true };
    },
  );

  router.post(
    '/teams/:teamName/broadcast',
    {
      summary: 'Post to your team chat (team leads)',
      auth: 'lead',
      params: v.object({ teamName: handleSchema }),
      body: v.object({ from: v.optional(uidSchema), text: textSchema, metadata: metadataSchema }),
    },
    async ({ params, body, identity }) => {
      if (params.teamName !== identity.teamName) throw forbidden(`teamName: you lead team ${identity.teamName}, not ${params.teamName}`);
      const sender = await actingAgent(auth(), identity, body.from, 'from');
      const members = await auth().agents.listTeam(identity.teamName);
      const chatId = await chats.ensureTeamChat(identity.teamName, members.map((m) => m.uid));
      return chats.post({ id: chatId, teamName: identity.teamName }, sender, body.text, { ...body.metadata, isBroadcast: true }, { type: 'broadcast' });
    },
  );
}

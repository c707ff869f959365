import * as v from 'valibot';
import { f, type Identity, isLead, operationsFor, sameTeam } from '../../core/index.js';
import { actingAgent, teamAgent } from './agents.js';
import { mailErrors } from './errors.js';
import type { MailApi } from './index.js';

const op = operationsFor<MailApi>();

const chatId = v.pipe(v.string('must be a string'), v.regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a chat id'));
const messageText = f.text({ min: 1, max: 50_000 });
/**
 * Keys the fleet writes itself: a broadcast's marker, a DM's recipient (the workers plugin forwards
 * the text to that agent), a task assignment's id and type. A caller setting them could make its
 * message pass for one of those, so they are refused, naming the key.
 */
export const RESERVED_METADATA_KEYS = ['isBroadcast', 'toHandle', 'taskId', 'type'] as const;
const reservedKeyOf = (value: Record<string, unknown>) =>
  RESERVED_METADATA_KEYS.find((key) => Object.hasOwn(value, key));
const metadata = v.optional(
  v.pipe(
    f.jsonObject({ maxChars: 10_000 }),
    v.check(
      (value) => reservedKeyOf(value) === undefined,
      (issue) => `"${reservedKeyOf(issue.input as Record<string, unknown>)}" is set by the fleet, not by callers`,
    ),
  ),
);
const messageId = v.pipe(v.string('must be a string'), v.uuid('must be a message id (a UUID)'));

/**
 * A chat the caller may see: 404 for chats of other teams (their existence is not ours to reveal),
 * 403 for DMs of others.
 */
async function visibleChat(api: MailApi, caller: Identity, id: string, memberUid = caller.uid) {
  const chat = await api.chats.get(id);
  if (!chat || chat.team_name !== caller.teamName) throw mailErrors.MAIL_CHAT_NOT_FOUND();
  if (!(await api.chats.isMember(id, memberUid, caller.teamName))) throw mailErrors.MAIL_NOT_CHAT_MEMBER();
  return chat;
}

export const listUserChats = op({
  name: 'listUserChats',
  summary: "An agent's chats with unread counts and last message (yours, or your team's for a lead)",
  access: 'agent',
  input: v.object({ uid: f.uid }),
  http: { method: 'GET', path: '/users/:uid/chats' },
  async run({ input, caller, api }) {
    const agent = await actingAgent(api, caller, input.uid, 'uid');
    return api.chats.chatsOf(agent.uid, caller.teamName);
  },
});

export const createChat = op({
  name: 'createChat',
  summary: 'Create (or get) the DM between two agents of your team',
  access: 'agent',
  input: v.object({ uid1: f.uid, uid2: f.uid }),
  http: { method: 'POST', path: '/chats' },
  async run({ input, caller, api }) {
    if (input.uid1 === input.uid2) throw mailErrors.MAIL_SELF_CHAT({}, { field: 'uid2' });
    if (!isLead(caller) && input.uid1 !== caller.uid && input.uid2 !== caller.uid)
      throw mailErrors.MAIL_CHAT_WITHOUT_YOU({}, { field: 'uid1' });
    for (const field of ['uid1', 'uid2'] as const) {
      const agent = await api.auth().agents.get(input[field]);
      if (!agent || agent.teamName !== caller.teamName) throw mailErrors.MAIL_USER_NOT_FOUND({ field });
    }
    return { chatId: await api.chats.ensureDm(caller.teamName, input.uid1, input.uid2) };
  },
});

export const listMessages = op({
  name: 'listMessages',
  summary: 'Messages of a chat: the latest, or after/before a message id (cursors both ways)',
  access: 'agent',
  input: v.object({
    chatId,
    limit: v.optional(f.int(1, 100)),
    after: v.optional(messageId),
    before: v.optional(messageId),
  }),
  http: { method: 'GET', path: '/chats/:chatId/messages' },
  async run({ input, caller, api }) {
    await visibleChat(api, caller, input.chatId);
    const cursor = async (field: 'after' | 'before') => {
      const id = input[field];
      if (id === undefined) return undefined;
      const seq = await api.chats.seqOf(input.chatId, id);
      if (seq === undefined) throw mailErrors.MAIL_UNKNOWN_CURSOR({ field, id }, { field });
      return seq;
    };
    return api.chats.list(input.chatId, {
      limit: input.limit ?? 50,
      afterSeq: await cursor('after'),
      beforeSeq: await cursor('before'),
    });
  },
});

export const postMessage = op({
  name: 'postMessage',
  summary: 'Post a message to a chat you belong to (a lead may post as an agent of its team)',
  access: 'agent',
  input: v.object({ chatId, from: v.optional(f.uid), text: messageText, metadata }),
  http: { method: 'POST', path: '/chats/:chatId/messages' },
  async run({ input, caller, api }) {
    const sender = await actingAgent(api, caller, input.from, 'from');
    await visibleChat(api, caller, input.chatId, sender.uid);
    return api.post(
      { id: input.chatId, teamName: caller.teamName },
      sender,
      input.text,
      input.metadata ?? {},
      'new_message',
    );
  },
});

export const markChatRead = op({
  name: 'markChatRead',
  summary: 'Mark a chat read (for you, or for a teammate if you lead): unread goes to 0, messages become read',
  access: 'agent',
  input: v.object({ chatId, uid: v.optional(f.uid) }),
  http: { method: 'POST', path: '/chats/:chatId/read' },
  async run({ input, caller, api }) {
    const reader = await actingAgent(api, caller, input.uid, 'uid');
    await visibleChat(api, caller, input.chatId, reader.uid);
    await api.chats.markRead(input.chatId, reader.uid);
    return { success: true };
  },
});

export const broadcast = op({
  name: 'broadcast',
  summary: 'Post a message to your whole team chat',
  access: 'lead',
  input: v.object({ teamName: v.optional(f.handle), from: v.optional(f.uid), text: messageText, metadata }),
  http: { method: 'POST', path: '/teams/:teamName/broadcast' },
  tools: [{ name: 'team_broadcast', rename: { message: 'text' }, omit: ['teamName', 'from', 'metadata'] }],
  async run({ input, caller, api }) {
    const team = sameTeam(caller, input.teamName, { deny: 403 });
    const sender = await actingAgent(api, caller, input.from, 'from');
    const members = await api.auth().agents.listTeam(team);
    const id = await api.chats.ensureTeamChat(
      team,
      members.map((member) => member.uid),
    );
    return api.post({ id, teamName: team }, sender, input.text, { ...input.metadata, isBroadcast: true }, 'broadcast');
  },
});

export const sendDirect = op({
  name: 'sendDirect',
  summary: 'Send a direct message to a teammate (a running worker also receives it as input)',
  access: 'agent',
  input: v.object({ handle: f.handle, message: messageText }),
  tools: [{ name: 'team_send' }],
  async run({ input, caller, api }) {
    const target = await teamAgent(api, caller, input.handle);
    const id = await api.chats.ensureDm(caller.teamName, caller.uid, target.uid);
    return api.post(
      { id, teamName: caller.teamName },
      caller,
      input.message,
      { toHandle: target.handle },
      'new_message',
    );
  },
});

export const chatOperations = [
  listUserChats,
  createChat,
  listMessages,
  postMessage,
  markChatRead,
  broadcast,
  sendDirect,
];

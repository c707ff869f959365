import * as v from 'valibot';
import { actAs, f, isLead, operationsFor } from '../../core/index.js';
import { senderHandle, teamAgent } from './agents.js';
import { mailErrors } from './errors.js';
import type { MailApi } from './index.js';

const op = operationsFor<MailApi>();

const subject = v.optional(f.text({ max: 200 }));
/** The seed's 400 `Invalid mail ID` for anything but a positive whole number. */
const numericId = (raw: string) => {
  if (!/^\d{1,10}$/.test(raw) || Number(raw) < 1 || Number(raw) > f.MAX_SERIAL_ID)
    throw mailErrors.MAIL_INVALID_ID({}, { field: 'id' });
  return Number(raw);
};

export const sendMail = op({
  name: 'sendMail',
  summary:
    'Send mail to an agent of your team ' +
    '(it waits in their mailbox, and in their first prompt if they are spawned later)',
  access: 'agent',
  input: v.object({ from: v.optional(f.handle), to: f.handle, body: f.text({ min: 1, max: 50_000 }), subject }),
  http: { method: 'POST', path: '/mail' },
  tools: [
    { name: 'mail_send', omit: ['from'] },
    { name: 'send_message', omit: ['from'], description: 'Alias of mail_send: send mail to an agent of your team.' },
  ],
  async run({ input, caller, api }) {
    const from = await senderHandle(api, caller, input.from);
    return api.mail.send(caller.teamName, from, input.to, input.body, input.subject);
  },
});

/** An agent's mailbox (all of it, or its unread mail): yours, or your team's if you lead. */
const mailbox = (name: string, summary: string, path: string, unreadOnly: boolean) =>
  op({
    name,
    summary,
    access: 'agent',
    input: v.object({ handle: f.handle }),
    http: { method: 'GET', path },
    async run({ input, caller, api }) {
      actAs(caller, { handle: input.handle }, 'handle');
      await teamAgent(api, caller, input.handle);
      return api.mail.list(caller.teamName, input.handle, unreadOnly);
    },
  });

export const listMail = mailbox(
  'listMail',
  'All mail of an agent, newest first (yours, or your team’s if you lead)',
  '/mail/:handle',
  false,
);
export const listUnreadMail = mailbox(
  'listUnreadMail',
  'Unread mail of an agent, newest first',
  '/mail/:handle/unread',
  true,
);

export const readMail = op({
  name: 'readMail',
  summary: 'Read your mail, newest first: unread (default) or all; mark_read marks what is returned as read.',
  access: 'agent',
  input: v.object({
    filter: v.optional(f.oneOf(['unread', 'all'], 'must be unread or all')),
    mark_read: v.optional(f.flag),
  }),
  tools: [
    { name: 'mail_read' },
    { name: 'read_messages', description: 'Alias of mail_read: read your mail, newest first.' },
  ],
  async run({ input, caller, api }) {
    const items = await api.mail.list(caller.teamName, caller.handle, (input.filter ?? 'unread') === 'unread');
    if (input.mark_read)
      for (const item of items) if (item.readAt === null) await api.mail.markRead(caller.teamName, item.id);
    return items;
  },
});

export const markMailRead = op({
  name: 'markMailRead',
  summary: 'Mark a mail read (its recipient, or a team lead)',
  access: 'agent',
  input: v.object({ id: v.string('must be a string') }),
  http: { method: 'POST', path: '/mail/:id/read' },
  async run({ input, caller, api }) {
    const id = numericId(input.id);
    const item = await api.mail.get(caller.teamName, id);
    if (!item) throw mailErrors.MAIL_NOT_FOUND({ id });
    if (item.toHandle !== caller.handle && !isLead(caller)) throw mailErrors.MAIL_NOT_RECIPIENT();
    await api.mail.markRead(caller.teamName, id);
    return { success: true, id };
  },
});

export const createHandoff = op({
  name: 'createHandoff',
  summary: 'Hand your context (files, state, notes) over to another agent of your team',
  access: 'agent',
  input: v.object({ from: v.optional(f.handle), to: f.handle, context: f.jsonObject({ maxChars: 200_000 }) }),
  http: { method: 'POST', path: '/handoffs' },
  tools: [{ name: 'team_handoff', omit: ['from'] }],
  async run({ input, caller, api }) {
    const from = await senderHandle(api, caller, input.from);
    return api.handoffs.create(caller.teamName, from, input.to, input.context);
  },
});

export const listHandoffs = op({
  name: 'listHandoffs',
  summary: 'Handoffs an agent has not accepted yet, oldest first (yours, or your team’s if you lead)',
  access: 'agent',
  input: v.object({ handle: f.handle }),
  http: { method: 'GET', path: '/handoffs/:handle' },
  async run({ input, caller, api }) {
    actAs(caller, { handle: input.handle }, 'handle');
    await teamAgent(api, caller, input.handle);
    return api.handoffs.open(caller.teamName, input.handle);
  },
});

export const acceptHandoff = op({
  name: 'acceptHandoff',
  summary: 'Accept a handoff addressed to you (or, for a lead, to your team): it leaves the open list',
  access: 'agent',
  input: v.object({ id: f.serialId }),
  http: { method: 'POST', path: '/handoffs/:id/accept' },
  tools: [{ name: 'handoff_accept', rename: { handoff_id: 'id' } }],
  async run({ input, caller, api }) {
    const handoff = await api.handoffs.get(caller.teamName, input.id);
    if (!handoff) throw mailErrors.MAIL_HANDOFF_NOT_FOUND({ id: input.id });
    if (handoff.toHandle !== caller.handle && !isLead(caller)) throw mailErrors.MAIL_HANDOFF_NOT_RECIPIENT();
    return api.handoffs.accept(caller.teamName, input.id, caller.handle);
  },
});

export const mailOperations = [
  sendMail,
  listMail,
  listUnreadMail,
  readMail,
  markMailRead,
  createHandoff,
  listHandoffs,
  acceptHandoff,
];

import { defineErrors } from '../../core/index.js';

export const mailErrors = defineErrors({
  MAIL_SENDER_NOT_FOUND: [404, 'Sender not found'],
  MAIL_AGENT_NOT_FOUND: [404, 'Agent {handle} not found'],
  MAIL_USER_NOT_FOUND: [404, 'User {field} not found'],
  MAIL_CHAT_NOT_FOUND: [404, 'Chat not found'],
  MAIL_NOT_CHAT_MEMBER: [403, 'Not a member of this chat'],
  MAIL_SELF_CHAT: [400, 'uid2: Cannot create chat with yourself'],
  MAIL_CHAT_WITHOUT_YOU: [
    403,
    'uid1: you may open chats only with yourself in them; team leads may open them for their team',
  ],
  MAIL_UNKNOWN_CURSOR: [400, '{field}: no message {id} in this chat'],
  MAIL_INVALID_ID: [400, 'Invalid mail ID'],
  MAIL_NOT_FOUND: [404, 'Mail {id} not found'],
  MAIL_NOT_RECIPIENT: [403, 'Only the recipient or a team lead may mark this mail read'],
  MAIL_HANDOFF_NOT_FOUND: [404, 'Handoff {id} not found'],
  MAIL_HANDOFF_NOT_RECIPIENT: [403, 'Only the recipient or a team lead may accept this handoff'],
  MAIL_HANDOFF_ACCEPTED: [409, 'Handoff {id} was already accepted'],
});

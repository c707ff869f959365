import { defineEvents } from '../../core/index.js';
import type { ChatMessage } from './chat-service.js';

/** A message on a chat, as chat subscribers receive it. */
export interface ChatMessageEvent {
  chatId: string;
  message: ChatMessage;
  /** The sender's handle, without the seed's `collab:` prefix. */
  handle: string;
}

declare module '../../core/index.js' {
  interface FleetEventMap {
    new_message: ChatMessageEvent;
    broadcast: ChatMessageEvent;
    new_mail: { id: number; fromHandle: string; toHandle: string; subject: string | null };
    handoff_created: { id: number; fromHandle: string; toHandle: string };
    handoff_accepted: { id: number; fromHandle: string; toHandle: string; acceptedBy: string };
  }
}

export const mailEvents = defineEvents({
  new_message: {
    topic: (data) => `chat.${data.chatId}`,
    summary: 'A message posted to a chat (to its subscribers only)',
  },
  broadcast: {
    topic: (data) => `chat.${data.chatId}`,
    summary: 'A message to the whole team chat (to its subscribers only)',
  },
  new_mail: {
    topic: 'mail',
    summary: 'Mail arrived for an agent of the team: who from, to whom, the subject (not the body)',
  },
  handoff_created: { topic: 'handoffs', summary: 'Context was handed over to an agent of the team' },
  handoff_accepted: { topic: 'handoffs', summary: 'The recipient (or a lead) accepted a handoff' },
});

import { defineEvents } from '../../../core/index.js';

/** One payload shape per event type, known to every emitter and subscriber. */
declare module '../../../core/index.js' {
  interface FleetEventMap {
    note_added: { id: number; author: string };
  }
}

/** Where each event goes, below `team.<team>.`: sockets of that team receive it. */
export const notesEvents = defineEvents({
  note_added: { topic: 'notes', summary: 'A note was added (its id and author, not its text)' },
});

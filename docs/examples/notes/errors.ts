import { defineErrors } from '../../../core/index.js';

/** Every error a client or agent can see, with a stable code that starts with the plugin's name. */
export const notesErrors = defineErrors({
  NOTES_NOT_FOUND: [404, 'Note {id} not found'],
  NOTES_NOT_AUTHOR: [403, 'Only its author or a team lead may delete a note'],
});

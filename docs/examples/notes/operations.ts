import * as v from 'valibot';
import { f, isLead, operationsFor } from '../../../core/index.js';
import { notesErrors } from './errors.js';
import type { NotesApi } from './index.js';

const op = operationsFor<NotesApi>();

/** One schema, one access rule, one handler: served as `POST /notes` and as the tool `note_add`. */
export const addNote = op({
  name: 'addNote',
  summary: 'Leave a note for your team',
  access: 'agent',
  input: v.object({ text: f.text({ min: 1, max: 2000 }) }),
  http: { method: 'POST', path: '/notes', status: 201 },
  tools: [{ name: 'note_add' }],
  run: ({ input, caller, api }) => api.notes.add(caller.teamName, caller.handle, input.text),
});

export const listNotes = op({
  name: 'listNotes',
  summary: "Your team's notes, oldest first",
  access: 'agent',
  input: v.object({}),
  http: { method: 'GET', path: '/notes' },
  tools: [{ name: 'note_list' }],
  run: ({ caller, api }) => api.notes.list(caller.teamName),
});

export const deleteNote = op({
  name: 'deleteNote',
  summary: 'Delete a note (its author, or a team lead)',
  access: 'agent',
  input: v.object({ id: f.int(1) }),
  http: { method: 'DELETE', path: '/notes/:id' },
  tools: [{ name: 'note_delete', rename: { note_id: 'id' } }],
  async run({ input, caller, api }) {
    const note = await api.notes.get(caller.teamName, input.id);
    if (!note) throw notesErrors.NOTES_NOT_FOUND({ id: input.id });
    if (note.author !== caller.handle && !isLead(caller)) throw notesErrors.NOTES_NOT_AUTHOR();
    await api.notes.remove(caller.teamName, input.id);
    return { deleted: input.id };
  },
});

export const notesOperations = [addNote, listNotes, deleteNote];

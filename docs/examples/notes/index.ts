import { definePlugin } from '../../../core/index.js';
import { notesErrors } from './errors.js';
import { notesEvents } from './events.js';
import { notesMigration } from './migrations/0001-notes.js';
import { notesOperations } from './operations.js';
import { NoteService } from './service.js';
import { notesTables } from './tables.js';

/** What the operations (and plugins that depend on this one) receive. */
export interface NotesApi {
  notes: NoteService;
}

/**
 * A minimal plugin to copy: a table, a migration, coded errors, an event, and three operations
 * served as routes and MCP tools. Copy the folder to plugins/<name>/, rename, add `<name>: true`
 * to fleet.config.ts.
 */
export const notes = definePlugin({
  name: 'notes',
  description: 'Short notes agents leave for their team.',
  dependsOn: ['auth'],
  tables: notesTables,
  migrations: { '0001_notes': notesMigration },
  errors: notesErrors,
  events: notesEvents,
  operations: notesOperations,
  setup(ctx): NotesApi {
    const notes = new NoteService(ctx.db, ctx.events.emit);
    // /health shows an agent its own team's count; the admin key gets the fleet's (team undefined).
    ctx.health.count('notes', async (team) => {
      let query = ctx.db.selectFrom('notes').select((eb) => eb.fn.countAll<number>().as('n'));
      if (team !== undefined) query = query.where('team_name', '=', team);
      return Number((await query.executeTakeFirstOrThrow()).n);
    });
    return { notes };
  },
});

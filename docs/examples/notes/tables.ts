import type { Generated } from 'kysely';
import { defineTables } from '../../../core/index.js';

/** The plugin's tables, typed: `ctx.db` is `Kysely<NotesTables>` and reaches these tables only. */
export interface NotesTables {
  notes: {
    id: Generated<number>;
    team_name: string;
    author: string;
    text: string;
    created_at: number;
  };
}

export const notesTables = defineTables<NotesTables>({ notes: 'Short notes agents leave for their team' });

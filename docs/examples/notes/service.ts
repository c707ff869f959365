import type { Kysely } from 'kysely';
import type { PluginContext } from '../../../core/index.js';
import type { NotesTables } from './tables.js';

export interface Note {
  id: number;
  author: string;
  text: string;
  createdAt: number;
}

/** Storage and events of notes; always scoped to one team. */
export class NoteService {
  constructor(
    private readonly db: Kysely<NotesTables>,
    private readonly emit: PluginContext['events']['emit'],
  ) {}

  async add(teamName: string, author: string, text: string): Promise<Note> {
    const createdAt = Date.now();
    const row = await this.db
      .insertInto('notes')
      .values({ team_name: teamName, author, text, created_at: createdAt })
      .returning('id')
      .executeTakeFirstOrThrow();
    const note = { id: Number(row.id), author, text, createdAt };
    this.emit('note_added', teamName, { id: note.id, author });
    return note;
  }

  async list(teamName: string): Promise<Note[]> {
    const rows = await this.db
      .selectFrom('notes')
      .selectAll()
      .where('team_name', '=', teamName)
      .orderBy('id')
      .execute();
    return rows.map((row) => ({
      id: Number(row.id),
      author: row.author,
      text: row.text,
      createdAt: Number(row.created_at),
    }));
  }

  async get(teamName: string, id: number): Promise<Note | undefined> {
    return (await this.list(teamName)).find((note) => note.id === id);
  }

  async remove(teamName: string, id: number): Promise<void> {
    await this.db.deleteFrom('notes').where('team_name', '=', teamName).where('id', '=', id).execute();
  }
}

import type { Kysely } from 'kysely';
import * as v from 'valibot';
import { type AnyTransaction, defineTables } from '../../core/db/tables.js';
import { operationsFor } from '../../core/operations/operation.js';
import { definePlugin } from '../../core/plugin.js';

/**
 * Test plugins for the table-ownership guard: `rogue` owns `rogue_notes` but reaches for auth's
 * `agents`; `ledger` owns `ledger_entries` and hands its transaction to rogue, which joins it.
 */

interface RogueTables {
  rogue_notes: { id: string; body: string };
}

export interface RogueApi {
  /** Reads auth's table through rogue's ctx.db: must be refused. */
  readAgents(): Promise<unknown[]>;
  addNote(id: string, body: string): Promise<void>;
  notes(): Promise<{ id: string; body: string }[]>;
  /** Writes rogue_notes inside another plugin's transaction (ctx.join). */
  addNoteIn(trx: AnyTransaction, id: string, body: string): Promise<void>;
  /** Reads a table through a joined transaction: only rogue's own tables are allowed. */
  readIn(trx: AnyTransaction, table: string): Promise<unknown[]>;
}

const createNotes = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('rogue_notes')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('body', 'text', (c) => c.notNull())
      .execute();
  },
};

// Creating an index names the table it indexes: on auth's `agents` that is reaching into auth.
const indexAgents = {
  async up(db: Kysely<any>) {
    await db.schema.createIndex('rogue_agents_handle').on('agents').column('handle').execute();
  },
};

const op = operationsFor<RogueApi>();

/** The same trespass from an operation: GET /rogue/agents and the rogue_peek tool. */
const peekAgents = op({
  name: 'peekAgents',
  summary: "Read auth's agents table directly (refused)",
  access: 'agent',
  input: v.object({}),
  http: { method: 'GET', path: '/rogue/agents' },
  tools: [{ name: 'rogue_peek' }],
  run: ({ ctx }) => ctx.db.selectFrom('agents').selectAll().execute(),
});

export function roguePlugin(options: { indexOnAgents?: boolean } = {}) {
  return definePlugin({
    name: 'rogue',
    dependsOn: ['auth'],
    tables: defineTables<RogueTables>({ rogue_notes: 'Notes the rogue keeps' }),
    migrations: { '0001_notes': createNotes, ...(options.indexOnAgents ? { '0002_index_agents': indexAgents } : {}) },
    operations: [peekAgents],
    setup(ctx): RogueApi {
      // Untyped on purpose: the point is a query the types would have stopped.
      const db = ctx.db as Kysely<any>;
      return {
        readAgents: () => db.selectFrom('agents').selectAll().execute(),
        async addNote(id, body) {
          await ctx.db.insertInto('rogue_notes').values({ id, body }).execute();
        },
        notes: () => ctx.db.selectFrom('rogue_notes').selectAll().orderBy('id').execute(),
        async addNoteIn(trx, id, body) {
          await ctx.join(trx).insertInto('rogue_notes').values({ id, body }).execute();
        },
        readIn: (trx, table) => (ctx.join(trx) as unknown as Kysely<any>).selectFrom(table).selectAll().execute(),
      };
    },
  });
}

interface LedgerTables {
  ledger_entries: { id: string };
}

export interface LedgerApi {
  /** One transaction: a ledger entry and, through rogue's api, a note; `fail` rolls both back. */
  record(id: string, options?: { fail?: boolean }): Promise<void>;
  /** Rogue reads ledger's table through the joined transaction: refused, since it is not rogue's. */
  rogueReadsLedgerIn(): Promise<unknown[]>;
  entries(): Promise<string[]>;
}

export const ledger = definePlugin({
  name: 'ledger',
  dependsOn: ['rogue'],
  tables: defineTables<LedgerTables>({ ledger_entries: 'Entries written with a rogue note in one transaction' }),
  migrations: {
    '0001_entries': {
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('ledger_entries')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .execute();
      },
    },
  },
  setup(ctx): LedgerApi {
    const rogue = () => ctx.use<RogueApi>('rogue');
    return {
      record: (id, options = {}) =>
        ctx.db.transaction().execute(async (trx) => {
          await trx.insertInto('ledger_entries').values({ id }).execute();
          await rogue().addNoteIn(trx, id, 'joined');
          if (options.fail) throw new Error('rolled back on purpose');
        }),
      rogueReadsLedgerIn: () => ctx.db.transaction().execute((trx) => rogue().readIn(trx, 'ledger_entries')),
      async entries() {
        const rows = await ctx.db.selectFrom('ledger_entries').select('id').orderBy('id').execute();
        return rows.map((row) => row.id);
      },
    };
  },
});

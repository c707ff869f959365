import type { Kysely, Migration } from 'kysely';

/**
 * Why a worker's last run ended (`error`: the exit and the tail of what its agent wrote to stderr),
 * what it spent before its current run (`prior_cost_usd`, `prior_turns`: a restarted agent may
 * report its own process's figures, and the worker's totals must not drop), and what needs a person
 * (`attention`, JSON: the tool calls its agent was refused).
 */
export const exitsAndTotalsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('workers').addColumn('error', 'text').execute();
    await db.schema.alterTable('workers').addColumn('prior_cost_usd', 'real').execute();
    await db.schema.alterTable('workers').addColumn('prior_turns', 'integer').execute();
    await db.schema.alterTable('workers').addColumn('attention', 'text').execute();
  },
};

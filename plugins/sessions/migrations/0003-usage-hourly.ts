import { type Kysely, type Migration, sql } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a migration sees the schema, not typed tables
type AnyDb = Kysely<any>;

/**
 * The accounting summed by hour, worker, session, task and model, kept with every result: GET /costs
 * reads whole hours here and only the hours at the edges of its range from session_usage, so it
 * answers from a few thousand rows however many results there are. `task_id` is '' for none (a
 * unique key cannot match NULLs); `priced_rows` counts the rows whose cost is known.
 */
export const usageHourlyMigration: Migration = {
  async up(untyped: Kysely<unknown>) {
    const db = untyped as AnyDb;
    await db.schema
      .createTable('session_usage_hourly')
      .addColumn('team_name', 'text', (c) => c.notNull())
      .addColumn('hour', 'bigint', (c) => c.notNull())
      .addColumn('handle', 'text', (c) => c.notNull())
      .addColumn('session_id', 'text', (c) => c.notNull())
      .addColumn('task_id', 'text', (c) => c.notNull())
      .addColumn('model', 'text', (c) => c.notNull())
      .addColumn('results', 'bigint', (c) => c.notNull())
      .addColumn('rows', 'bigint', (c) => c.notNull())
      .addColumn('input_tokens', 'bigint', (c) => c.notNull())
      .addColumn('output_tokens', 'bigint', (c) => c.notNull())
      .addColumn('cache_read_tokens', 'bigint', (c) => c.notNull())
      .addColumn('cache_write_tokens', 'bigint', (c) => c.notNull())
      .addColumn('cost_nanos', 'bigint', (c) => c.notNull())
      .addColumn('priced_rows', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('session_usage_hourly_pk', [
        'team_name',
        'hour',
        'handle',
        'session_id',
        'task_id',
        'model',
      ])
      .execute();
    await sumIntoHours(db);
  },
  async down(untyped: Kysely<unknown>) {
    await (untyped as AnyDb).schema.dropTable('session_usage_hourly').execute();
  },
};

/** Sum what session_usage holds into session_usage_hourly (at this migration: what was recorded before it). */
export async function sumIntoHours(db: AnyDb): Promise<void> {
  await sql`insert into session_usage_hourly (team_name, hour, handle, session_id, task_id, model, results, rows,
        input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cost_nanos, priced_rows)
      select team_name, (at / 3600000) * 3600000, handle, session_id, coalesce(task_id, ''), model, sum(result),
        count(*), sum(input_tokens), sum(output_tokens), sum(cache_read_tokens), sum(cache_write_tokens),
        coalesce(sum(cost_nanos), 0), count(cost_nanos)
      from session_usage
      group by team_name, (at / 3600000) * 3600000, handle, session_id, coalesce(task_id, ''), model`.execute(db);
}

/**
 * A server that dies while a job runs (job-queue.test.ts): opens the queue's database, claims and
 * starts the next two jobs with a handler that never ends, prints `claimed <id>`, and waits to be killed
 * with SIGKILL. Argument: sqlite:<file> or a postgres:// URL.
 */
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { systemClock } from '../clock.js';
import { JobQueue } from './job-queue.js';
import { memoryLogger } from './test-support.js';

const where = process.argv[2] ?? '';
const postgres = where.startsWith('postgres');
pg.types.setTypeParser(20, (value: string) => Number(value));
const db = postgres
  ? new Kysely({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: where, max: 2 }) }) })
  : new Kysely({ dialect: new SqliteDialect({ database: new Database(where.replace(/^sqlite:/, '')) }) });
const queue = new JobQueue({
  db,
  dialect: postgres ? 'postgres' : 'sqlite',
  clock: systemClock,
  log: memoryLogger(),
  emit: () => undefined,
  options: { concurrency: 2, pollMs: 50 },
});
queue.registerHandler('template', async (job) => {
  process.stdout.write(`claimed ${job.id}\n`);
  return new Promise(() => undefined);
});
await queue.start();
setInterval(() => undefined, 1000);

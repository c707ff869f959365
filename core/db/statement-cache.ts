import type { Database, Statement } from 'better-sqlite3';
import type { SqliteDatabase } from 'kysely';

let statementsRun = 0;

/**
 * Statements the fleet's SQLite databases in this process have run (each driver call prepares once): the
 * benchmarks report statements per request from it, so a query added to a hot path shows as a number.
 */
export function sqliteStatementsRun(): number {
  return statementsRun;
}

/** Distinct SQL texts kept compiled; the fleet's queries are a few hundred shapes, so this rarely evicts. */
export const STATEMENT_CACHE_SIZE = 1000;

/**
 * The database Kysely's SQLite driver sees, with `prepare` compiling each SQL text once: the driver
 * prepares every statement on every call, and compiling SQL was a fifth of the CPU of `POST /tasks`.
 * Kysely builds the same text for the same query shape (values are parameters), so the cache hits.
 *
 * A cached statement still being iterated (a streamed query) is busy and cannot run again until the
 * iteration ends: that call gets a statement of its own. Least recently used texts go first.
 */
export function cachedStatements(database: Database, size = STATEMENT_CACHE_SIZE): SqliteDatabase {
  const statements = new Map<string, Statement>();
  return {
    close: () => {
      statements.clear();
      database.close();
    },
    prepare(sql: string) {
      statementsRun++;
      const cached = statements.get(sql);
      if (cached) {
        if (cached.busy) return database.prepare(sql);
        // Map keeps insertion order: moving a hit to the end makes the first key the least recently used.
        statements.delete(sql);
        statements.set(sql, cached);
        return cached;
      }
      const statement = database.prepare(sql);
      statements.set(sql, statement);
      if (statements.size > size) statements.delete(statements.keys().next().value as string);
      return statement;
    },
  };
}

/**
 * A plugin service's own database for its tests: the engine of this run (FLEET_TEST_STORAGE), SQLite in a
 * temp dir or a fresh PostgreSQL database from testDatabase, opened by the kernel's own openDatabase (the
 * pragmas and type parsers a fleet runs with), migrated with the migrations the test names. Every pool it
 * opens is destroyed at teardown, before the temp dir or the database goes.
 */
import { join } from 'node:path';
import type { Kysely, Migration } from 'kysely';
import { openDatabase } from '../../core/db/database.js';
import { testDatabase, testStorage } from './storage.js';
import { tempDir } from './temp.js';
import type { TestLike } from './test-like.js';

export type AnyDb = Kysely<any>;

/** Where the database is, for a child process that opens it on its own. */
export type DatabasePlace = { dialect: 'sqlite'; file: string } | { dialect: 'postgres'; url: string };

export interface MigratedDatabase {
  db: AnyDb;
  dialect: DatabasePlace['dialect'];
  place: DatabasePlace;
  /** Another pool on the same database (another server, another claimer), destroyed at teardown. */
  openAgain(): Promise<AnyDb>;
}

export interface MigratedDatabaseOptions {
  /** The temp dir's prefix on SQLite (default `fleet-plugin-db-`). */
  prefix?: string;
}

/** A fresh database of this run's engine with `migrations` applied, in order, on its first pool. */
export async function migratedDatabase(
  t: TestLike,
  migrations: readonly Migration[],
  options: MigratedDatabaseOptions = {},
): Promise<MigratedDatabase> {
  // testDatabase's drop and tempDir's removal are registered first, so they run after the pools close.
  const place: DatabasePlace =
    testStorage() === 'postgres'
      ? { dialect: 'postgres', url: await testDatabase(t) }
      : { dialect: 'sqlite', file: join(tempDir(t, options.prefix ?? 'fleet-plugin-db-'), 'fleet.db') };
  const openAgain = async (): Promise<AnyDb> => {
    const storage =
      place.dialect === 'postgres'
        ? { driver: place.dialect, url: place.url }
        : { driver: place.dialect, path: place.file };
    const { db } = await openDatabase(storage);
    t.teardown(() => db.destroy());
    return db;
  };
  const db = await openAgain();
  for (const migration of migrations) await migration.up(db);
  return { db, dialect: place.dialect, place, openAgain };
}

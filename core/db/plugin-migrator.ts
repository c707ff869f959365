import { type Migration, Migrator } from 'kysely';
import { FleetError } from '../errors.js';
import type { FleetDb } from './database.js';

export type MigrationSet = Record<string, Migration>;

/** The tracking table of one plugin's migrations: `fleet_migrations_<plugin>`. */
export function migrationTableName(plugin: string): string {
  return `fleet_migrations_${plugin.replace(/-/g, '_')}`;
}

/**
 * Run each migration in its own transaction where Kysely does not already (SQLite: its adapter
 * reports no transactional DDL), so a migration that fails halfway leaves no partial schema behind
 * and can be fixed and run again.
 */
function atomic(migrations: MigrationSet): MigrationSet {
  const wrap =
    (step: Migration['up']): Migration['up'] =>
    (db) =>
      db.isTransaction ? step(db) : db.transaction().execute((trx) => step(trx));
  return Object.fromEntries(
    Object.entries(migrations).map(([name, migration]) => {
      // Called through the object, never detached, so `this` stays whatever the migration expects.
      const up: Migration['up'] = (db) => migration.up(db);
      const down: Migration['down'] = migration.down && ((db) => migration.down!(db));
      return [name, { up: wrap(up), down: down && wrap(down) }];
    }),
  );
}

/**
 * Bring one plugin's tables to its latest migration. Each plugin has its own Kysely migrator and
 * tracking table, so plugins added later never collide with the order of others.
 */
export async function migratePlugin(db: FleetDb, plugin: string, migrations: MigrationSet): Promise<string[]> {
  if (Object.keys(migrations).length === 0) return [];
  const table = migrationTableName(plugin);
  const migrator = new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(atomic(migrations)) },
    migrationTableName: table,
    migrationLockTableName: `${table}_lock`,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new FleetError(
      'FLEET_ERR_MIGRATION',
      `plugin ${plugin}: migration ${failed ?? '(unknown)'} failed: ${(error as Error).message}`,
      {
        plugin,
        migration: failed,
      },
    );
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

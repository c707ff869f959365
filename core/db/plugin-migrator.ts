import { type Migration, Migrator } from 'kysely';
import { FleetError } from '../errors.js';
import type { FleetDb } from './database.js';

export type MigrationSet = Record<string, Migration>;

/** The tracking table of one plugin's migrations: `fleet_migrations_<plugin>`. */
export function migrationTableName(plugin: string): string {
  return `fleet_migrations_${plugin.replace(/-/g, '_')}`;
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
    provider: { getMigrations: async () => migrations },
    migrationTableName: table,
    migrationLockTableName: `${table}_lock`,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new FleetError('FLEET_ERR_MIGRATION', `plugin ${plugin}: migration ${failed ?? '(unknown)'} failed: ${(error as Error).message}`, {
      plugin,
      migration: failed,
    });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

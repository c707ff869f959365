import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, type TableMetadata } from 'kysely';
import { migratePlugin, migrationTableName } from '../../core/db/plugin-migrator.js';
import type { AnyPlugin } from '../../core/plugin.js';
import { cell, code, table } from './markdown.js';

/**
 * The tables a plugin's migrations create, read back from a fresh in-memory SQLite database: the
 * schema as it really is after every migration, not as a comment says it is. SQLite is the
 * embedded default, so its column types are the ones shown.
 */
export async function migratedTables(plugin: AnyPlugin): Promise<MigratedTable[]> {
  const database = new Database(':memory:');
  database.pragma('foreign_keys = ON');
  const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database }) });
  try {
    await migratePlugin(db, plugin.name, plugin.migrations ?? {});
    const tracking = migrationTableName(plugin.name);
    const tables = await db.introspection.getTables();
    return tables
      .filter((t) => t.name !== tracking && t.name !== `${tracking}_lock`)
      .map((t) => ({ ...t, primaryKey: primaryKeyOf(database, t.name) }));
  } finally {
    await db.destroy();
  }
}

export interface MigratedTable extends TableMetadata {
  primaryKey: ReadonlySet<string>;
}

/**
 * Kysely's introspection does not say which columns form the primary key, and SQLite reports a
 * TEXT primary key as nullable (a legacy quirk PostgreSQL does not share): ask SQLite directly.
 */
function primaryKeyOf(database: Database.Database, table: string): Set<string> {
  const columns = database.pragma(`table_info(${JSON.stringify(table)})`) as { name: string; pk: number }[];
  return new Set(columns.filter((column) => column.pk > 0).map((column) => column.name));
}

/** `name type`, with `?` after the type of a nullable column and `pk` after a primary key's. */
export function columnText(column: TableMetadata['columns'][number], primaryKey: ReadonlySet<string>): string {
  const key = primaryKey.has(column.name);
  return `${column.name} ${column.dataType.toLowerCase()}${column.isNullable && !key ? '?' : ''}${key ? ' pk' : ''}`;
}

/**
 * Tables sorted by name: the description from `defineTables` and the migrated columns, in the
 * order the table has them. A table created but not declared, or declared but never created,
 * still gets a row saying so, since either is a mistake worth seeing.
 */
export async function tablesTable(plugin: AnyPlugin): Promise<string | undefined> {
  const created = new Map((await migratedTables(plugin)).map((t) => [t.name, t]));
  const descriptions = plugin.tables?.descriptions ?? {};
  const names = [...new Set([...created.keys(), ...Object.keys(descriptions)])].sort();
  const rows = names.map((name) => {
    const migrated = created.get(name);
    const columns = migrated?.columns.map((column) => code(columnText(column, migrated.primaryKey))).join(', ');
    const description = descriptions[name] ?? "not declared in the plugin's tables";
    return [code(name), cell(description), columns ?? 'not created by a migration'];
  });
  return rows.length > 0 ? table(['table', 'description', 'columns'], rows) : undefined;
}

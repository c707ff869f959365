import type {
  Kysely,
  KyselyPlugin,
  OperationNode,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  RootOperationNode,
  Transaction,
  UnknownRow,
} from 'kysely';
import { FleetError } from '../errors.js';

/**
 * The tables a plugin owns, with a line about each for its README. `T` is the plugin's Kysely
 * database interface; the record must name every table of it, no more and no less:
 *
 *     tables: defineTables<TasksTables>({ tasks: 'Tasks of every team', task_blockers: '...' })
 */
export interface TableSet<T> {
  readonly names: readonly string[];
  readonly descriptions: Readonly<Record<string, string>>;
  /** Type only: the plugin's database interface. */
  readonly __tables?: T;
}

export function defineTables<T>(descriptions: { readonly [K in keyof T & string]: string }): TableSet<T> {
  return { names: Object.keys(descriptions), descriptions };
}

/** A transaction another plugin opened, to be joined (`ctx.join`) so one commit covers both plugins' writes. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- another plugin's tables are not this plugin's business
export type AnyTransaction = Transaction<any>;

/** Tables of the database engines themselves, which introspection and migrations read. */
function isSystemTable(name: string): boolean {
  return name.startsWith('sqlite_') || name.startsWith('pg_catalog.') || name.startsWith('information_schema.');
}

function tableName(node: OperationNode): string {
  const table = (node as unknown as { table: { schema?: { name: string }; identifier: { name: string } } }).table;
  return table.schema ? `${table.schema.name}.${table.identifier.name}` : table.identifier.name;
}

/**
 * Node kinds that hold no table: values, names, operators. Skipping them keeps the walk to the
 * few nodes that can (it runs on every query of every plugin; `npm run bench -- http` measures it).
 */
const LEAVES = new Set([
  'ReferenceNode', // a column qualifier (`t.id`) names a table or alias already counted in FROM or JOIN
  'ColumnNode',
  'IdentifierNode',
  'ValueNode',
  'PrimitiveValueListNode',
  'ValueListNode',
  'OperatorNode',
  'RawNode',
  'DefaultValueNode',
  'DataTypeNode',
  'OrderByItemNode',
  'LimitNode',
  'OffsetNode',
  'SelectAllNode',
]);

/**
 * The tables a query names in FROM, JOIN, INTO, UPDATE, DELETE, DDL and REFERENCES. Column
 * qualifiers (`t.id`) are skipped: they name tables or aliases already counted. CTE names are
 * returned apart, since they are not tables.
 */
export function tablesOf(root: OperationNode): { tables: Set<string>; ctes: Set<string> } {
  const tables = new Set<string>();
  const ctes = new Set<string>();
  const walk = (node: Record<string, unknown>): void => {
    const kind = node.kind as string | undefined;
    if (kind !== undefined && LEAVES.has(kind)) return;
    if (kind === 'TableNode') {
      tables.add(tableName(node as unknown as OperationNode));
      return;
    }
    if (kind === 'CommonTableExpressionNameNode') {
      ctes.add(tableName(node.table as OperationNode));
      return;
    }
    for (const key in node) {
      const child = node[key];
      if (typeof child !== 'object' || child === null) continue;
      if (Array.isArray(child)) {
        for (const item of child) if (typeof item === 'object' && item !== null) walk(item as Record<string, unknown>);
      } else walk(child as Record<string, unknown>);
    }
  };
  walk(root as unknown as Record<string, unknown>);
  return { tables, ctes };
}

/**
 * A Kysely plugin that refuses, before it runs, any query of a plugin that names a table the
 * plugin does not own: cross-plugin work goes through the dependency's api, never its tables.
 */
export class OwnedTablesGuard implements KyselyPlugin {
  readonly #plugin: string;
  readonly #owned: ReadonlySet<string>;
  readonly #ownerOf: (table: string) => string | undefined;

  constructor(plugin: string, owned: Iterable<string>, ownerOf: (table: string) => string | undefined) {
    this.#plugin = plugin;
    this.#owned = new Set(owned);
    this.#ownerOf = ownerOf;
  }

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    const { tables, ctes } = tablesOf(args.node);
    for (const table of tables) {
      if (this.#owned.has(table) || ctes.has(table) || isSystemTable(table)) continue;
      const owner = this.#ownerOf(table);
      throw new FleetError(
        'FLEET_ERR_TABLE_NOT_OWNED',
        `plugin ${this.#plugin} used table ${table}, which ` +
          `${owner ? `belongs to plugin ${owner}` : 'no plugin declares'}: reach other plugins through their api`,
        { plugin: this.#plugin, table, owner },
      );
    }
    return args.node;
  }

  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return Promise.resolve(args.result);
  }
}

/** The database as one plugin sees it: typed with its tables, guarded to them. */
export function guardedDb<T>(db: Kysely<unknown>, guard: OwnedTablesGuard): Kysely<T> {
  return db.withPlugin(guard) as Kysely<T>;
}

/** Another plugin's transaction, seen by this plugin: the same connection, this plugin's guard. */
export function joinTransaction<T>(trx: AnyTransaction, guard: OwnedTablesGuard): Transaction<T> {
  return trx.withoutPlugins().withPlugin(guard) as Transaction<T>;
}

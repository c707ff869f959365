import type { Middleware } from 'koa';
import type { Identity } from '../auth/identity.js';
import type { TokenCheck } from '../auth/tokens.js';
import type { FleetConfig } from '../config/types.js';
import type { Dialect, FleetDb } from '../db/database.js';
import { migratePlugin, migrationTableName } from '../db/plugin-migrator.js';
import { guardedDb, joinTransaction, OwnedTablesGuard } from '../db/tables.js';
import { FleetError } from '../errors.js';
import { topicOf, type TypedEvent } from '../events/catalog.js';
import type { EventSpine } from '../events/types.js';
import type { Logger } from '../log.js';
import type { ToolRegistry } from '../mcp/registry.js';
import { operationRoutes, type ServedOperation } from '../operations/serve-http.js';
import type { AnyPlugin, HealthCounter, PluginContext, ResponseObservation } from '../plugin.js';

/** What the kernel lends each running plugin. */
export interface KernelServices {
  config: () => FleetConfig;
  db: FleetDb;
  dialect: Dialect;
  log: Logger;
  spine: EventSpine;
  tools: ToolRegistry;
  mint: (identity: Identity, version?: number) => Promise<string>;
  addTokenCheck: (check: TokenCheck) => () => void;
  /** Close an agent's open WebSockets (its tokens were revoked). */
  disconnect: (uid: string, reason: string) => void;
  apiOf(plugin: string): unknown;
  fleetUrl(): string;
  /** Whether the HTTP server is bound (false while plugins start at boot). */
  listening(): boolean;
  /** Which plugin of the catalog declares a table (for the guard's message). */
  tableOwner: (table: string) => string | undefined;
  /** Let a running plugin vouch for subscriptions to its guarded topics; returns the undo. */
  vouch(prefix: string, authorize: (identity: Identity, id: string) => Promise<boolean> | boolean): () => void;
}

/** One running plugin: its context, operations, api and everything to undo when it stops. */
export class PluginHost {
  readonly definition: AnyPlugin;
  readonly options: unknown;
  readonly healthCounters = new Map<string, HealthCounter>();
  readonly observers = new Set<(observation: ResponseObservation) => void>();
  /** Its operations as the kernel serves them (routes, tools, OpenAPI). */
  readonly served: readonly ServedOperation[];
  api: unknown;
  #routes: Middleware | undefined;
  #cleanups: (() => void | Promise<void>)[] = [];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the host serves any plugin
  readonly #context: PluginContext<any, any>;
  readonly #guard: OwnedTablesGuard;
  readonly #services: KernelServices;
  #stopped = false;

  constructor(definition: AnyPlugin, options: unknown, services: KernelServices) {
    this.definition = definition;
    this.options = options;
    this.#services = services;
    const name = definition.name;
    this.#guard = new OwnedTablesGuard(name, definition.tables?.names ?? [], services.tableOwner);
    this.#context = this.#createContext(services);
    this.served = (definition.operations ?? []).map((operation) => ({
      plugin: name,
      operation,
      run: async (input, caller, request) =>
        await operation.run({
          input,
          caller,
          api: this.api,
          ctx: this.#context,
          adminKey: request?.adminKey === true,
          request: request?.raw,
        }),
    }));
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the host serves any plugin
  #createContext(services: KernelServices): PluginContext<any, any> {
    const definition = this.definition;
    const name = definition.name;
    const dependsOn = new Set([...(definition.dependsOn ?? []), ...(definition.optionalDependsOn ?? [])]);
    const guard = this.#guard;
    const events = definition.events ?? {};
    const cleanups = this.#cleanups;
    return {
      name,
      options: this.options,
      get config() {
        return services.config();
      },
      fleetUrl: () => services.fleetUrl(),
      listening: () => services.listening(),
      db: guardedDb(services.db, guard),
      dialect: services.dialect,
      join: (trx) => joinTransaction(trx, guard),
      log: services.log.child(name),
      events: {
        emit: (type, team, data) => {
          const spec = events[type];
          if (!spec) {
            throw new FleetError(
              'FLEET_ERR_EVENT_NOT_DECLARED',
              `plugin ${name} emitted ${type}, which is not among its events`,
              { plugin: name, type },
            );
          }
          return services.spine.publish({ topic: `team.${team}.${topicOf(spec, data)}`, type, team, data });
        },
        on: (types, listener) => {
          const wanted = new Set<string>(typeof types === 'string' ? [types] : types);
          const unsubscribe = services.spine.subscribe('*', (event) => {
            if (wanted.has(event.type)) listener(event as TypedEvent<never>);
          });
          cleanups.push(unsubscribe);
          return unsubscribe;
        },
        read: (pattern, since, max) => services.spine.read(pattern, since, max),
      },
      tokens: {
        mint: (identity, options) => services.mint(identity, options?.version),
        check: (check) => void cleanups.push(services.addTokenCheck(check)),
        revoked: (uid, reason) => services.disconnect(uid, reason),
      },
      health: { count: (counter, read) => void this.healthCounters.set(counter, read) },
      http: { onResponse: (observer) => void this.observers.add(observer) },
      use: <T>(plugin: string): T => {
        if (!dependsOn.has(plugin)) {
          throw new FleetError(
            'FLEET_ERR_PLUGIN_NOT_DEPENDENCY',
            `plugin ${name} uses ${plugin} but does not list it in dependsOn or optionalDependsOn`,
            {
              plugin: name,
              dependency: plugin,
            },
          );
        }
        return services.apiOf(plugin) as T;
      },
      onStop: (cleanup) => void cleanups.push(cleanup),
    };
  }

  get name(): string {
    return this.definition.name;
  }

  /** Koa middleware of this plugin's routes, built once. */
  get routes(): Middleware {
    this.#routes ??= operationRoutes(this.served);
    return this.#routes;
  }

  /**
   * Migrate, set up, register tools and start. On failure everything done so far is undone and the
   * error rethrown, coded.
   */
  async start(): Promise<string[]> {
    const table = migrationTableName(this.name);
    const migrationGuard = new OwnedTablesGuard(
      this.name,
      [...(this.definition.tables?.names ?? []), table, `${table}_lock`],
      this.#services.tableOwner,
    );
    const applied = await migratePlugin(
      guardedDb(this.#services.db, migrationGuard),
      this.name,
      this.definition.migrations ?? {},
    );
    try {
      this.api = await this.definition.setup(this.#context);
      for (const served of this.served) this.#services.tools.register(served);
      for (const guard of this.definition.topics ?? []) {
        this.#cleanups.push(
          this.#services.vouch(guard.prefix, (identity, id) => guard.authorize(identity, id, this.api)),
        );
      }
      await this.definition.start?.(this.#context, this.api);
    } catch (error) {
      await this.stop();
      if (error instanceof FleetError) throw error;
      throw new FleetError(
        'FLEET_ERR_PLUGIN_SETUP',
        `plugin ${this.name} failed to start: ${(error as Error).message}`,
        { plugin: this.name },
      );
    }
    return applied;
  }

  /** Stop and undo: idempotent, and never throws (a plugin's failure to stop is logged). */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    const log = this.#services.log;
    try {
      await this.definition.stop?.(this.#context, this.api);
    } catch (error) {
      log.error('plugin stop failed', { plugin: this.name, error });
    }
    for (const cleanup of this.#cleanups.reverse()) {
      try {
        await cleanup();
      } catch (error) {
        log.error('plugin cleanup failed', { plugin: this.name, error });
      }
    }
    this.#cleanups.length = 0;
    this.#services.tools.unregisterPlugin(this.name);
    this.healthCounters.clear();
    this.observers.clear();
  }
}

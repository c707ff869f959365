import type { Middleware } from 'koa';
import type { FleetConfig } from '../config/types.js';
import type { Dialect, FleetDb } from '../db/database.js';
import { migratePlugin } from '../db/plugin-migrator.js';
import { FleetError } from '../errors.js';
import type { EventSpine } from '../events/types.js';
import { PluginRouter } from '../http/plugin-router.js';
import type { Logger } from '../log.js';
import type { ToolRegistry } from '../mcp/registry.js';
import type { AnyPlugin, PluginContext, ResponseObservation } from '../plugin.js';
import type { Identity } from '../auth/identity.js';

/** What the kernel lends each running plugin. */
export interface KernelServices {
  config: () => FleetConfig;
  db: FleetDb;
  dialect: Dialect;
  log: Logger;
  spine: EventSpine;
  tools: ToolRegistry;
  mint(identity: Identity): Promise<string>;
  apiOf(plugin: string): unknown;
  fleetUrl(): string;
  addChatAccessCheck(check: (identity: Identity, chatId: string) => Promise<boolean> | boolean): () => void;
}

/** One running plugin: its context, router, api and everything to undo when it stops. */
export class PluginHost {
  readonly definition: AnyPlugin;
  readonly options: unknown;
  readonly router: PluginRouter;
  readonly healthCounters = new Map<string, () => Promise<number> | number>();
  readonly observers = new Set<(observation: ResponseObservation) => void>();
  api: unknown;
  #routes: Middleware | undefined;
  #cleanups: (() => void | Promise<void>)[] = [];
  #context: PluginContext<any>;
  #stopped = false;

  constructor(definition: AnyPlugin, options: unknown, services: KernelServices) {
    this.definition = definition;
    this.options = options;
    const name = definition.name;
    this.router = new PluginRouter(name);
    const dependsOn = new Set([...(definition.dependsOn ?? []), ...(definition.optionalDependsOn ?? [])]);
    this.#context = {
      name,
      options,
      get config() {
        return services.config();
      },
      fleetUrl: () => services.fleetUrl(),
      db: services.db,
      dialect: services.dialect,
      log: services.log.child(name),
      router: this.router,
      events: {
        publish: (input) => services.spine.publish(input),
        read: (pattern, since, max) => services.spine.read(pattern, since, max),
        subscribe: (pattern, listener) => {
          const unsubscribe = services.spine.subscribe(pattern, listener);
          this.#cleanups.push(unsubscribe);
          return unsubscribe;
        },
      },
      tools: { register: (spec) => services.tools.register(name, spec as never) },
      tokens: { mint: (identity) => services.mint(identity) },
      health: { count: (counter, read) => void this.healthCounters.set(counter, read) },
      http: { onResponse: (observer) => void this.observers.add(observer) },
      ws: { authorizeChat: (check) => void this.#cleanups.push(services.addChatAccessCheck(check)) },
      use: <T>(plugin: string): T => {
        if (!dependsOn.has(plugin)) {
          throw new FleetError('FLEET_ERR_PLUGIN_NOT_DEPENDENCY', `plugin ${name} uses ${plugin} but does not list it in dependsOn or optionalDependsOn`, {
            plugin: name,
            dependency: plugin,
          });
        }
        return services.apiOf(plugin) as T;
      },
      onStop: (cleanup) => void this.#cleanups.push(cleanup),
    };
  }

  get name(): string {
    return this.definition.name;
  }

  /** Koa middleware of this plugin's routes, built once after setup. */
  get routes(): Middleware {
    this.#routes ??= this.router.middleware();
    return this.#routes;
  }

  /** Migrate, set up and start. On failure everything done so far is undone and the error rethrown, coded. */
  async start(db: FleetDb, services: KernelServices): Promise<string[]> {
    const applied = await migratePlugin(db, this.name, this.definition.migrations ?? {});
    try {
      this.api = await this.definition.setup(this.#context);
      await this.definition.start?.(this.#context);
    } catch (error) {
      await this.stop(services);
      if (error instanceof FleetError) throw error;
      throw new FleetError('FLEET_ERR_PLUGIN_SETUP', `plugin ${this.name} failed to start: ${(error as Error).message}`, { plugin: this.name });
    }
    return applied;
  }

  /** Stop and undo: idempotent, and never throws (a plugin's failure to stop is logged). */
  async stop(services: KernelServices): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    try {
      await this.definition.stop?.(this.#context);
    } catch (error) {
      services.log.error('plugin stop failed', { plugin: this.name, error });
    }
    for (const cleanup of this.#cleanups.reverse()) {
      try {
        await cleanup();
      } catch (error) {
        services.log.error('plugin cleanup failed', { plugin: this.name, error });
      }
    }
    this.#cleanups = [];
    services.tools.unregisterPlugin(this.name);
    this.healthCounters.clear();
    this.observers.clear();
  }
}

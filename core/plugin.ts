import type * as v from 'valibot';
import type { Identity } from './auth/identity.js';
import type { FleetConfig } from './config/types.js';
import type { Dialect, FleetDb } from './db/database.js';
import type { MigrationSet } from './db/plugin-migrator.js';
import type { EventListener, FleetEvent, PublishInput, ReadResult } from './events/types.js';
import type { PluginRouter } from './http/plugin-router.js';
import type { AnySchema } from './http/validate.js';
import type { Logger } from './log.js';
import type { ToolSpec } from './mcp/types.js';

const PLUGIN_BRAND = Symbol.for('claude-fleet.plugin');

/** What the kernel tells an observer about each finished HTTP request (the metrics plugin uses it). */
export interface ResponseObservation {
  method: string;
  /** The route template (`/tasks/:id`), or `unmatched`: never the raw path, to bound label cardinality. */
  route: string;
  status: number;
  durationMs: number;
  /** The verified caller, when the request carried a valid token. */
  uid?: string;
}

export interface PluginContext<Options = unknown> {
  readonly name: string;
  /** This plugin's options from fleet.config.ts, validated by its `config` schema. */
  readonly options: Options;
  readonly config: FleetConfig;
  /** The URL agents use to reach this fleet (known once it listens). */
  fleetUrl(): string;
  readonly db: FleetDb;
  readonly dialect: Dialect;
  readonly log: Logger;
  readonly router: PluginRouter;
  readonly events: {
    publish<D>(input: PublishInput<D>): FleetEvent<D>;
    read(pattern: string, since: number, max?: number): ReadResult;
    /** Unsubscribed automatically when the plugin stops. */
    subscribe(pattern: string, listener: EventListener): () => void;
  };
  readonly tools: { register<S extends AnySchema>(spec: ToolSpec<S>): void };
  readonly tokens: { mint(identity: Identity): Promise<string> };
  /** Counters shown by /health; each must be a COUNT(*) or a counter, never a table load. */
  readonly health: { count(name: string, read: () => Promise<number> | number): void };
  readonly http: { onResponse(observer: (observation: ResponseObservation) => void): void };
  /** WebSocket hooks: who may subscribe to a chat (removed when the plugin stops). */
  readonly ws: { authorizeChat(check: (identity: Identity, chatId: string) => Promise<boolean> | boolean): void };
  /** The api returned by the setup of a plugin this one depends on (undefined if an optional one is off). */
  use<T = unknown>(plugin: string): T;
  /** Run when the plugin stops (timers, watchers). */
  onStop(cleanup: () => void | Promise<void>): void;
}

export interface PluginDefinition<S extends AnySchema | undefined = AnySchema | undefined, Api = unknown> {
  /** Lower-case; names the plugin folder, its config key and its migration table. */
  name: string;
  description?: string;
  /** Order is derived from this, never from the config's order. */
  dependsOn?: readonly string[];
  /**
   * Plugins used when they run, ignored when they are off: they start first when on, and
   * `ctx.use(name)` returns their api or undefined. Read it at call time, not once in setup.
   */
  optionalDependsOn?: readonly string[];
  /** Schema of `plugins.<name>` options; `true` in the config means `{}`. */
  config?: S;
  migrations?: MigrationSet;
  /** Register routes, tools and listeners; return the api dependents receive from `ctx.use(name)`. */
  setup(ctx: PluginContext<S extends AnySchema ? v.InferOutput<S> : Record<string, never>>): Api | Promise<Api>;
  start?(ctx: PluginContext<S extends AnySchema ? v.InferOutput<S> : Record<string, never>>): void | Promise<void>;
  /** Runs in reverse order; must be safe to call more than once. */
  stop?(ctx: PluginContext<S extends AnySchema ? v.InferOutput<S> : Record<string, never>>): void | Promise<void>;
}

export type AnyPlugin = PluginDefinition<any, any>;

/** Typed identity that marks the object so the kernel can find it among a module's exports. */
export function definePlugin<S extends AnySchema | undefined = undefined, Api = void>(definition: PluginDefinition<S, Api>): PluginDefinition<S, Api> {
  Object.defineProperty(definition, PLUGIN_BRAND, { value: true, enumerable: false });
  return definition;
}

export function isPluginDefinition(value: unknown): value is AnyPlugin {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[PLUGIN_BRAND] === true;
}

import type { Kysely, Transaction } from 'kysely';
import type * as v from 'valibot';
import type { Identity } from './auth/identity.js';
import type { TokenCheck } from './auth/tokens.js';
import type { FleetConfig } from './config/types.js';
import type { Dialect } from './db/database.js';
import type { MigrationSet } from './db/plugin-migrator.js';
import type { AnyTransaction, TableSet } from './db/tables.js';
import type { EventSpecs, EventType, FleetEventMap, TypedEvent } from './events/catalog.js';
import type { FleetEvent, ReadResult } from './events/types.js';
import type { ErrorTable } from './http/api-error.js';
import type { Logger } from './log.js';
import type { Operation } from './operations/operation.js';

const PLUGIN_BRAND = Symbol.for('claude-fleet.plugin');

/** A valibot schema of any kind (plugin options). */
export type AnySchema = v.GenericSchema<unknown, unknown>;

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

/**
 * Topics only some sockets may follow: events on `team.<team>.<prefix>.<id>` reach a socket only
 * after it sent `{ type: 'subscribe', <key>: id }` and `authorize` said yes. The mail plugin guards
 * its chats this way (`prefix: 'chat'`, `key: 'chatId'`). Declared as data, so the kernel keeps
 * these topics private from boot, even while their plugin is off (nothing then vouches for them).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- declared by any plugin, checked with its api
export interface GuardedTopics<Api = any> {
  prefix: string;
  /** The subscribe message's field that names the id. */
  key: string;
  authorize(identity: Identity, id: string, api: Api): Promise<boolean> | boolean;
}

export interface PluginEvents {
  /** Publish one of this plugin's event types to a team; the topic comes from the event's declaration. */
  emit: <K extends EventType>(type: K, team: string, data: FleetEventMap[K]) => FleetEvent<FleetEventMap[K]>;
  /** Listen to event types of any plugin, typed; unsubscribed automatically when the plugin stops. */
  on: <K extends EventType>(types: K | readonly K[], listener: (event: TypedEvent<K>) => void) => () => void;
  read: (pattern: string, since: number, max?: number) => ReadResult;
}

export interface PluginTokens {
  /** A token for an agent; `version` is its current token version (tokens of older versions are refused). */
  mint: (identity: Identity, options?: { version?: number }) => Promise<string>;
  /** Check every token on every request and WebSocket auth (removed when the plugin stops). */
  check: (check: TokenCheck) => void;
  /** An agent's tokens were revoked: its open WebSockets are closed now, with this reason. */
  revoked: (uid: string, reason: string) => void;
}

/** A /health counter: the count for one team, or fleet-wide when `teamName` is undefined. */
export type HealthCounter = (teamName: string | undefined) => Promise<number> | number;

export interface PluginContext<Options = unknown, Tables = unknown> {
  readonly name: string;
  /** This plugin's options from fleet.config.ts, validated by its `config` schema. */
  readonly options: Options;
  readonly config: FleetConfig;
  /** The URL agents use to reach this fleet (known once it listens). */
  fleetUrl(): string;
  /**
   * Whether the fleet's HTTP server is bound and serving. False while plugins start at boot: what
   * must not outlive a start that fails to bind (a tmux session) waits for it.
   */
  listening(): boolean;
  /** This plugin's tables, typed; a query naming another plugin's table is refused before it runs. */
  readonly db: Kysely<Tables>;
  readonly dialect: Dialect;
  /** Work in another plugin's transaction (one commit for both), seeing only this plugin's tables. */
  join: (trx: AnyTransaction) => Transaction<Tables>;
  readonly log: Logger;
  readonly events: PluginEvents;
  readonly tokens: PluginTokens;
  /**
   * Counters shown by /health; each must be a COUNT(*) or a counter, never a table load. `read` is
   * given the caller's team (an agent sees its own team's numbers), or undefined for the fleet-wide
   * count (the admin key).
   */
  readonly health: { count(name: string, read: HealthCounter): void };
  readonly http: { onResponse(observer: (observation: ResponseObservation) => void): void };
  /** The api returned by the setup of a plugin this one depends on (undefined if an optional one is off). */
  use<T = unknown>(plugin: string): T;
  /** Run when the plugin stops (timers, watchers). */
  onStop(cleanup: () => void | Promise<void>): void;
}

/**
 * A plugin's part of the web dashboard: one browser ES module (plain `.js`, no build step) that
 * imports `fleet-dashboard` and exports its `views` (and optionally `inbox`). The kernel serves the
 * files of the entry's folder at `/dashboard/panels/<plugin>/…` while the plugin is on.
 */
export interface PanelDefinition {
  /** Absolute path of the module: `fileURLToPath(new URL('./panel/index.js', import.meta.url))`. */
  entry: string;
  /** The nav's label. */
  title: string;
  /** Place in the nav, lowest first (default 100). */
  order?: number;
}

/** A `fleet <name>` command a plugin adds to the CLI (`fleet attach` comes from workers). */
export interface PluginCommand<Options = unknown> {
  summary: string;
  usage: string;
  run(argv: readonly string[], context: { config: FleetConfig; options: Options }): Promise<number>;
}

type OptionsOf<S> = S extends AnySchema ? v.InferOutput<S> : Record<string, never>;

export interface PluginDefinition<
  S extends AnySchema | undefined = AnySchema | undefined,
  Api = unknown,
  Tables = unknown,
> {
  /** Lower-case; names the plugin folder, its config key, its error codes' prefix and its migration table. */
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
  /** Environment variables that set options: `{ MAX_WORKERS: 'max' }`. Checked by `config` like the file. */
  env?: Readonly<Record<string, string>>;
  /** The tables this plugin owns; `ctx.db` is typed with them and limited to them. */
  tables?: TableSet<Tables>;
  migrations?: MigrationSet;
  /** Its error codes (`defineErrors`), each starting with the plugin's name in capitals. */
  errors?: ErrorTable;
  /** The event types it emits (`defineEvents`). */
  events?: EventSpecs;
  /** What it can do, each served as a route and/or tools. */
  operations?: readonly Operation<Api>[];
  /** WebSocket topics only the sockets it vouches for may follow (a chat's messages). */
  topics?: readonly GuardedTopics<Api>[];
  /** Its view in the web dashboard, shown while it is on. */
  panel?: PanelDefinition;
  /** Commands it adds to the `fleet` CLI. */
  commands?: Readonly<Record<string, PluginCommand<OptionsOf<S>>>>;
  /** Build services and listeners; return the api that dependents and operations receive. */
  setup(ctx: PluginContext<OptionsOf<S>, Tables>): Api | Promise<Api>;
  start?(ctx: PluginContext<OptionsOf<S>, Tables>, api: Api): void | Promise<void>;
  /** Runs in reverse order; must be safe to call more than once. */
  stop?(ctx: PluginContext<OptionsOf<S>, Tables>, api: Api): void | Promise<void>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the kernel holds plugins of every shape
export type AnyPlugin = PluginDefinition<any, any, any>;

/** Typed identity that marks the object so the kernel can find it among a module's exports. */
export function definePlugin<S extends AnySchema | undefined = undefined, Api = void, Tables = unknown>(
  definition: PluginDefinition<S, Api, Tables>,
): PluginDefinition<S, Api, Tables> {
  Object.defineProperty(definition, PLUGIN_BRAND, { value: true, enumerable: false });
  return definition;
}

export function isPluginDefinition(value: unknown): value is AnyPlugin {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[PLUGIN_BRAND] === true;
}

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ADMIN_KEY_FILE, JWT_SECRET_FILE, readOrCreateSecret } from '../auth/admin-key.js';
import type { Identity } from '../auth/identity.js';
import { TokenService } from '../auth/tokens.js';
import { importConfigFile, loadConfig, type LoadConfigOptions, resolveConfig } from '../config/load-config.js';
import type { FleetConfig } from '../config/types.js';
import { watchConfigFile } from '../config/watch-config.js';
import { type Dialect, type FleetDb, openDatabase } from '../db/database.js';
import { FleetError } from '../errors.js';
import { RingSpine } from '../events/ring-spine.js';
import type { EventSpine } from '../events/types.js';
import { dashboardFiles, SIGN_IN_ROUTES, signInRoutes } from '../dashboard/routes.js';
import { livePanels, panelInfo } from '../dashboard/panels.js';
import { SignInCodes } from '../dashboard/sign-in-codes.js';
import { createHttpApp } from '../http/app.js';
import { createHostPolicy } from '../http/host-check.js';
import { createAuthenticator } from '../http/auth-state.js';
import { createLogger, type Logger } from '../log.js';
import { logstreamImplementation } from '../native/logstream.js';
import { ToolRegistry } from '../mcp/registry.js';
import type { AnyPlugin } from '../plugin.js';
import { WebSocketHub } from '../ws/hub.js';
import { discoverPlugins } from './catalog.js';
import { kernelOperations, type KernelView } from './kernel-operations.js';
import { type PluginPlan, type PluginState, planPlugins } from './plan.js';
import { type KernelServices, PluginHost } from './plugin-host.js';
import { checkPluginDeclarations, checkSurfaceClashes, tableOwners } from './surface.js';
import type { Middleware } from 'koa';
import { operationRoutes, type ServedOperation } from '../operations/serve-http.js';

export interface BootOptions extends LoadConfigOptions {
  /** A resolved config; skips loading the file (and watching it). */
  config?: FleetConfig;
  /** Plugins to offer besides those found in the plugin dirs (tests use this). */
  plugins?: readonly AnyPlugin[];
  /** Folders of plugin folders. Default: this checkout's plugins/. */
  pluginDirs?: readonly string[];
  /** Watch the config file and apply edits live. Default true when there is a file. */
  watch?: boolean;
  log?: Logger;
}

/** Kernel-level settings that a live edit cannot change: they need a restart. */
const RESTART_KEYS = [
  'server.host',
  'server.port',
  'server.wsPingSeconds',
  'storage',
  'dataDir',
  'auth.jwtExpiresIn',
  'events',
] as const;

function valueAt(config: FleetConfig, key: string): unknown {
  return key.split('.').reduce<unknown>((value, part) => (value as Record<string, unknown>)?.[part], config);
}

/**
 * The kernel: config → order plugins → migrate → mount → listen → start; stop in reverse.
 * It knows no plugin by name.
 */
export class Kernel {
  readonly log: Logger;
  readonly spine: EventSpine;
  readonly tools: ToolRegistry;
  readonly startedAt = Date.now();
  readonly db: FleetDb;
  readonly dialect: Dialect;
  readonly tokens: TokenService;
  #config: FleetConfig;
  #catalog: Map<string, AnyPlugin>;
  #plan: PluginPlan;
  #hosts = new Map<string, PluginHost>();
  #server: Server;
  #hub: WebSocketHub;
  #watcher: { close(): Promise<void> } | undefined;
  #adminKey: string;
  #reloading: Promise<void> = Promise.resolve();
  #stopping: Promise<void> | undefined;
  #services: KernelServices;
  #kernelServed: ServedOperation[];
  #tableOwners: Map<string, string>;
  #configOptions: BootOptions;
  /** The dashboard's one-time sign-in codes (`fleet open`), in memory. */
  readonly #signInCodes = new SignInCodes();

  private constructor(init: {
    config: FleetConfig;
    catalog: Map<string, AnyPlugin>;
    plan: PluginPlan;
    log: Logger;
    db: FleetDb;
    dialect: Dialect;
    adminKey: string;
    tokens: TokenService;
    options: BootOptions;
  }) {
    this.#config = init.config;
    this.#catalog = init.catalog;
    this.#plan = init.plan;
    this.log = init.log;
    this.db = init.db;
    this.dialect = init.dialect;
    this.#adminKey = init.adminKey;
    this.tokens = init.tokens;
    this.#configOptions = init.options;
    this.spine = new RingSpine({ capacity: init.config.events.ringCapacity });
    this.tools = new ToolRegistry(init.log.child('mcp'));
    this.#tableOwners = tableOwners(init.catalog.values());
    this.#services = {
      config: () => this.#config,
      db: this.db,
      dialect: this.dialect,
      log: this.log,
      spine: this.spine,
      tools: this.tools,
      mint: (identity: Identity, version?: number) => this.tokens.sign(identity, version),
      addTokenCheck: (check) => this.tokens.addCheck(check),
      disconnect: (uid, reason) => void this.#hub.disconnect(uid, reason),
      apiOf: (plugin: string) => this.#hosts.get(plugin)?.api,
      fleetUrl: () => this.publicUrl,
      listening: () => this.#server.listening,
      tableOwner: (table) => this.#tableOwners.get(table),
      vouch: (prefix, authorize) => this.#hub.vouch(prefix, authorize),
    };
    const view: KernelView = {
      startedAt: this.startedAt,
      tools: this.tools,
      activePlugins: () => [...this.#hosts.keys()],
      pluginStates: () => this.pluginStates(),
      operations: () => this.operations(),
      healthCounts: (teamName) => this.#healthCounts(teamName),
      native: () => ({ ringbus: this.spine.implementation, logstream: logstreamImplementation }),
      debugInfo: () => ({ events: this.spine.stats(), websockets: this.#hub.connections ?? 0, dialect: this.dialect }),
      teamSockets: (teamName) => this.#hub.connectionsOf(teamName),
      panels: () => livePanels(this.#panelSources()),
      dashboardPlugins: () =>
        this.pluginStates().map((state) => {
          const definition = this.#catalog.get(state.name);
          const panel = state.state === 'on' ? definition?.panel : undefined;
          return {
            ...state,
            ...(definition?.description ? { description: definition.description } : {}),
            panel: panel ? panelInfo(state.name, panel) : null,
          };
        }),
    };
    this.#kernelServed = kernelOperations.map((operation) => ({
      plugin: 'kernel',
      operation,
      run: async (input, caller, request) =>
        await operation.run({
          input,
          caller,
          api: view,
          ctx: undefined as never,
          adminKey: request?.adminKey === true,
          request: request?.raw,
        }),
    }));
    const kernelMiddleware: Middleware = operationRoutes(this.#kernelServed);
    const signIn = signInRoutes({
      codes: this.#signInCodes,
      mint: (identity, version) => this.tokens.sign(identity, version),
      fleetUrl: () => this.publicUrl,
    });
    const hosts = createHostPolicy({
      bindHost: () => this.#config.server.host,
      port: () => this.port,
      allowedHosts: () => this.#config.server.allowedHosts,
      publicUrl: () => this.#config.server.publicUrl,
    });
    const app = createHttpApp({
      log: this.log.child('http'),
      hosts,
      publicFiles: dashboardFiles(() => this.#panelSources()),
      bodyLimit: () => this.#config.server.bodyLimit,
      rateLimit: () => ({ ...this.#config.server.rateLimit, exempt: ['/health', '/metrics'] }),
      authenticator: createAuthenticator(this.tokens, () => this.#adminKey),
      routers: () => [kernelMiddleware, signIn, ...[...this.#hosts.values()].map((host) => host.routes)],
      observers: () => [...this.#hosts.values()].flatMap((host) => [...host.observers]),
      routes: () => [
        ...this.operations().flatMap(({ operation }) => (operation.http ? [operation.http] : [])),
        ...SIGN_IN_ROUTES,
      ],
    });
    const handle = app.callback();
    this.#server = createServer((request, response) => void handle(request, response));
    this.#hub = new WebSocketHub({
      server: this.#server,
      spine: this.spine,
      tokens: this.tokens,
      log: this.log.child('ws'),
      pingSeconds: init.config.server.wsPingSeconds,
      guarded: [...init.catalog.values()].flatMap((plugin) =>
        (plugin.topics ?? []).map(({ prefix, key }) => ({ prefix, key })),
      ),
      limits: () => this.#config.server.websocket,
      admit: (request) => hosts.check(request.headers.host, request.headers.origin),
    });
  }

  /** The running plugins with their panels: what the dashboard lists and serves, now. */
  *#panelSources(): Iterable<{ name: string; panel: AnyPlugin['panel'] }> {
    for (const [name, host] of this.#hosts) yield { name, panel: host.definition.panel };
  }

  /** Boot a fleet: load and validate config, plan plugins, open storage, start plugins, listen. */
  static async boot(options: BootOptions = {}): Promise<Kernel> {
    const config = options.config ?? (await loadConfig(options));
    const log = options.log ?? createLogger({ level: config.log.level, scope: 'kernel' });
    log.setLevel(config.log.level);
    const catalog = await discoverPlugins(options.pluginDirs);
    for (const plugin of options.plugins ?? []) {
      checkPluginDeclarations(plugin);
      catalog.set(plugin.name, plugin);
    }
    const plan = planPlugins(catalog, config.plugins, config.env);
    checkSurfaceClashes(
      { operations: kernelOperations },
      plan.order.map((name) => catalog.get(name)!),
      catalog.values(),
    );

    const adminKey = config.auth.adminKey ?? readOrCreateSecret(config.dataDir, ADMIN_KEY_FILE);
    const jwtSecret = config.auth.jwtSecret ?? readOrCreateSecret(config.dataDir, JWT_SECRET_FILE);
    const tokens = new TokenService(jwtSecret, config.auth.jwtExpiresIn);
    const { db, dialect } = await openDatabase(config.storage, (error) =>
      log.warn('database connection ended while idle; the next query opens another', { error: error.message }),
    );

    const kernel = new Kernel({ config, catalog, plan, log, db, dialect, adminKey, tokens, options });
    try {
      for (const state of plan.states)
        if (state.state === 'off' && state.reason.startsWith('depends'))
          log.warn(`plugin ${state.name} off: ${state.reason}`);
      for (const name of plan.order) await kernel.#startPlugin(name, plan.options.get(name));
      await kernel.#listen();
      const watch = options.watch ?? (options.config === undefined && config.configPath !== undefined);
      if (watch && config.configPath) {
        kernel.#watcher = await watchConfigFile(config.configPath, () => void kernel.reload());
      }
    } catch (error) {
      await kernel.stop();
      throw error;
    }
    return kernel;
  }

  get config(): FleetConfig {
    return this.#config;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo | null)?.port ?? this.#config.server.port;
  }

  /** The URL this fleet answers on. */
  get url(): string {
    const host = this.#config.server.host.includes(':') ? `[${this.#config.server.host}]` : this.#config.server.host;
    return `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${this.port}`;
  }

  /** The URL agents should use: config's publicUrl, else the listening URL. */
  get publicUrl(): string {
    return this.#config.server.publicUrl ?? this.url;
  }

  get adminKey(): string {
    return this.#adminKey;
  }

  pluginStates(): PluginState[] {
    return this.#plan.states.map((state) =>
      state.state === 'on' && !this.#hosts.has(state.name)
        ? { name: state.name, state: 'off', reason: 'failed to start (see the log)' }
        : state,
    );
  }

  /** Every operation served now: the kernel's and the running plugins', with their plugin's name. */
  operations(): readonly ServedOperation[] {
    return [...this.#kernelServed, ...[...this.#hosts.values()].flatMap((host) => host.served)];
  }

  /** The api a running plugin's setup returned. */
  api<T = unknown>(plugin: string): T | undefined {
    return this.#hosts.get(plugin)?.api as T | undefined;
  }

  /**
   * Re-read the config file and apply it: plugins turned off stop (and their dependents), plugins
   * turned on migrate and start, plugins whose options changed restart. A config that fails
   * validation is rejected and the fleet keeps its last good one. Reloads run one at a time.
   */
  reload(): Promise<void> {
    this.#reloading = this.#reloading
      .then(() => this.#reloadNow())
      .catch((error) => this.log.error('config reload failed', { error }));
    return this.#reloading;
  }

  async #reloadNow(): Promise<void> {
    const path = this.#config.configPath;
    if (!path || this.#stopping) return;
    let next: FleetConfig;
    let plan: PluginPlan;
    try {
      const raw = await importConfigFile(path);
      next = resolveConfig(raw, {
        configPath: path,
        env: this.#configOptions.env,
        cwd: this.#configOptions.cwd,
        overrides: this.#configOptions.overrides,
      });
      plan = planPlugins(this.#catalog, next.plugins, next.env);
      checkSurfaceClashes(
        { operations: kernelOperations },
        plan.order.map((name) => this.#catalog.get(name)!),
        this.#catalog.values(),
      );
    } catch (error) {
      this.log.error(`config rejected, keeping the last good one: ${(error as Error).message}`, {
        code: (error as FleetError).code,
      });
      return;
    }
    for (const key of RESTART_KEYS) {
      if (JSON.stringify(valueAt(next, key)) !== JSON.stringify(valueAt(this.#config, key))) {
        this.log.warn(`config: ${key} changed; restart the fleet to apply it`);
      }
    }
    // Kernel-level keys that need a restart keep their running values.
    next = {
      ...next,
      server: {
        ...next.server,
        host: this.#config.server.host,
        port: this.#config.server.port,
        wsPingSeconds: this.#config.server.wsPingSeconds,
      },
      storage: this.#config.storage,
      dataDir: this.#config.dataDir,
      auth: this.#config.auth,
      events: this.#config.events,
    };
    this.log.setLevel(next.log.level);
    this.#config = next;
    await this.#applyPlan(plan);
  }

  async #applyPlan(plan: PluginPlan): Promise<void> {
    const wanted = new Set(plan.order);
    /** Running plugins to stop and start again, with why. */
    const restart = new Map<string, string>();
    for (const [name, host] of this.#hosts) {
      if (!wanted.has(name)) continue;
      if (JSON.stringify(host.options) !== JSON.stringify(plan.options.get(name)))
        restart.set(name, 'restarting with new options');
    }
    // A plugin restarts when a plugin it uses restarts, starts or stops: its api reference would be
    // stale, and what it registered there (a launch guard, a briefing source) would be gone. Optional
    // dependencies count too: a worker spawned after the workers plugin restarted must still get the
    // policy plugin's hook.
    const arriving = new Set(plan.order.filter((name) => !this.#hosts.has(name)));
    const leaving = new Set([...this.#hosts.keys()].filter((name) => !wanted.has(name)));
    let grew = true;
    while (grew) {
      grew = false;
      for (const [name, host] of this.#hosts) {
        if (restart.has(name) || !wanted.has(name)) continue;
        const uses = [...(host.definition.dependsOn ?? []), ...(host.definition.optionalDependsOn ?? [])];
        const moved = uses.find((d) => restart.has(d) || arriving.has(d) || leaving.has(d));
        if (moved === undefined) continue;
        const how = restart.has(moved) ? 'restarts' : arriving.has(moved) ? 'starts' : 'stops';
        restart.set(
          name,
          restart.get(moved) === 'restarting with new options' && how === 'restarts'
            ? 'restarting with new options'
            : `restarting: ${moved}, which it uses, ${how}`,
        );
        grew = true;
      }
    }
    const stopping = [...this.#hosts.keys()].filter((name) => !wanted.has(name) || restart.has(name)).reverse();
    for (const name of stopping) {
      const reason = plan.states.find((s) => s.name === name);
      await this.#stopPlugin(name, restart.get(name) ?? (reason?.state === 'off' ? reason.reason : 'turned off'));
    }
    this.#plan = plan;
    for (const name of plan.order) {
      if (this.#hosts.has(name)) continue;
      // A dependency that failed to start above leaves its dependents off: ctx.use would give them nothing.
      const down = (this.#catalog.get(name)!.dependsOn ?? []).find((dependency) => !this.#hosts.has(dependency));
      if (down !== undefined) {
        this.log.error(`plugin ${name} failed to start: depends on ${down}, which is not running`);
        continue;
      }
      try {
        await this.#startPlugin(name, plan.options.get(name));
      } catch (error) {
        this.log.error(`plugin ${name} failed to start: ${(error as Error).message}`, {
          code: (error as FleetError).code,
        });
      }
    }
  }

  async #startPlugin(name: string, options: unknown): Promise<void> {
    const definition = this.#catalog.get(name)!;
    const host = new PluginHost(definition, options, this.#services);
    const applied = await host.start();
    this.#hosts.set(name, host);
    this.log.info(`plugin ${name} on`, {
      migrations: applied.length > 0 ? applied : undefined,
      operations: host.served.length,
      tools: this.tools.names(name).length,
    });
  }

  async #stopPlugin(name: string, reason: string): Promise<void> {
    const host = this.#hosts.get(name);
    if (!host) return;
    this.#hosts.delete(name);
    await host.stop();
    this.log.info(`plugin ${name} off: ${reason}`);
  }

  /** Each plugin's counters for one team, or fleet-wide (with the event sequence) when teamName is undefined. */
  async #healthCounts(teamName: string | undefined): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const host of this.#hosts.values()) {
      for (const [name, read] of host.healthCounters) {
        try {
          counts[name] = await read(teamName);
        } catch (error) {
          this.log.warn('health counter failed', { plugin: host.name, counter: name, error });
        }
      }
    }
    if (teamName !== undefined) {
      counts.websockets = this.#hub.connectionsOf(teamName);
      return counts;
    }
    counts.websockets = this.#hub.connections ?? 0;
    counts.events = this.spine.stats().lastSeq;
    return counts;
  }

  async #listen(): Promise<void> {
    const { host, port } = this.#config.server;
    await new Promise<void>((resolveListen, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => {
        this.#server.off('error', reject);
        resolveListen();
      });
    });
    this.log.info(`listening on ${this.url}`);
  }

  /** Drain HTTP, close sockets, stop plugins in reverse order, close the database. Idempotent. */
  stop(): Promise<void> {
    this.#stopping ??= this.#stopNow();
    return this.#stopping;
  }

  async #stopNow(): Promise<void> {
    await this.#watcher?.close();
    await this.#reloading;
    this.#hub.close();
    const closed = new Promise<void>((resolveClose) => {
      if (!this.#server.listening) return resolveClose();
      this.#server.close(() => resolveClose());
    });
    this.#server.closeIdleConnections();
    // Requests in flight get a moment to finish; then their connections are cut.
    const force = setTimeout(() => this.#server.closeAllConnections(), 5000);
    await closed;
    clearTimeout(force);
    for (const name of [...this.#hosts.keys()].reverse()) await this.#stopPlugin(name, 'fleet stopping');
    await this.db.destroy();
    this.log.info('stopped');
  }
}

/**
 * A real fleet for a test: HTTP on port 0, the given plugins, its storage from the environment
 * (SQLite in a temp data dir, or a fresh PostgreSQL database: see storage.ts), a private tmux socket
 * when the workers plugin is on. Stopped and cleaned up when the test ends.
 */
import { resolveConfig } from '../../core/config/load-config.js';
import type { FleetConfig, FleetConfigInput } from '../../core/config/types.js';
import { Kernel } from '../../core/kernel/kernel.js';
import { createLogger } from '../../core/log.js';
import type { AnyPlugin } from '../../core/plugin.js';
import { fleetTmuxSocket } from '../../core/workers/tmux-socket.js';
import { type JsonResponse, type RequestOptions, requestJson } from './http.js';
import { killWorkerProcesses } from './processes.js';
import { testDatabase, testStorage } from './storage.js';
import { tempDir } from './temp.js';
import type { TestLike } from './test-like.js';
import { killTmuxServer, uniqueSocket } from './tmux.js';

export type Plugins = Record<string, boolean | Record<string, unknown>>;

export interface FleetOptions {
  /** Which plugins run. Default: config.plugins, else { auth: true, metrics: true }. */
  plugins?: Plugins;
  /** Plugins to offer besides those found in the plugin dirs (Kernel.boot's `plugins`). */
  extraPlugins?: AnyPlugin[];
  /** Folders of plugin folders (Kernel.boot's `pluginDirs`). Default: this checkout's plugins/. */
  pluginDirs?: string[];
  /** Config over the kit's defaults; an explicit `storage` wins over FLEET_TEST_STORAGE. */
  config?: FleetConfigInput;
  /** The environment the config is resolved with (default empty: the test's own env stays out). */
  env?: Record<string, string>;
  /** Boot on this data dir instead of a fresh temp dir (a second fleet on the first one's data). */
  dataDir?: string;
  /**
   * Boot from this config file and watch it, as `fleet up` does (live toggling); `plugins` and
   * `config` are then ignored, the file decides, with port 0 and the kit's log laid over it.
   */
  configFile?: string;
}

export interface TestFleet {
  kernel: Kernel;
  url: string;
  dataDir: string;
  adminKey: string;
  /** Every log line the fleet wrote. */
  logs: string[];
  /** Where its data lives: SQLite's file in dataDir, or its own PostgreSQL database (dropped at teardown). */
  storage: FleetConfig['storage'];
  /** The tmux socket of its workers plugin, when on: a private one, or (configFile) the file's. */
  tmuxSocket: string | undefined;
  /** Register an agent with the admin key. */
  register(
    handle: string,
    teamName: string,
    agentType?: 'worker' | 'team-lead',
    role?: string,
  ): Promise<{ uid: string; token: string }>;
  /** JSON request; returns status, parsed body and headers. */
  request(method: string, path: string, options?: RequestOptions): Promise<JsonResponse>;
}

/**
 * With the workers plugin on, its options get a tmux socket of their own (`plugins.workers.tmux`),
 * unless they name one: `true` becomes an options object, given options are kept. With `workingDir`, workers
 * a spawn gives no directory run there (the fleet's temporary data dir) instead of in this checkout.
 */
export function withPrivateTmux(
  plugins: Plugins,
  workingDir?: string,
): { plugins: Plugins; socket: string | undefined } {
  const workers = plugins.workers;
  if (!workers) return { plugins, socket: undefined };
  const options: Record<string, unknown> = workers === true ? {} : { ...workers };
  if (workingDir && options.workingDir === undefined) options.workingDir = workingDir;
  const tmux = (options.tmux ?? {}) as Record<string, unknown>;
  const socket = typeof tmux.socket === 'string' ? tmux.socket : uniqueSocket('fleet');
  options.tmux = { ...tmux, socket };
  return { plugins: { ...plugins, workers: options }, socket };
}

export async function startFleet(t: TestLike, options: FleetOptions = {}): Promise<TestFleet> {
  // Teardowns run last-in first-out: the data dir goes last, the database after the kernel has
  // stopped, the kernel first.
  const dataDir = options.dataDir ?? tempDir(t);
  const logs: string[] = [];
  const log = createLogger({ level: 'debug', sink: (line) => logs.push(line) });
  if (options.configFile) {
    // The file decides the data dir and so the tmux socket (its own, or the one derived from the
    // data dir): whatever workers ran there go after the kernel has stopped.
    const booted: { kernel?: Kernel } = {};
    t.teardown(() => {
      if (!booted.kernel) return;
      const { config } = booted.kernel;
      const workers = config.plugins.workers;
      const configured = typeof workers === 'object' ? (workers.tmux as { socket?: string } | undefined) : undefined;
      killWorkerProcesses(config.dataDir);
      killTmuxServer(fleetTmuxSocket(config, configured?.socket));
    });
    const kernel = await Kernel.boot({
      path: options.configFile,
      env: options.env ?? {},
      overrides: { server: { port: 0 } },
      log,
    });
    booted.kernel = kernel;
    t.teardown(() => kernel.stop());
    const running = kernel.api<{ tmux: { socket: string } }>('workers');
    return fleetOf(kernel, kernel.config.dataDir, logs, running?.tmux.socket);
  }
  let storage = options.config?.storage;
  if (!storage && testStorage() === 'postgres') storage = { driver: 'postgres', url: await testDatabase(t) };
  const wanted = options.plugins ?? options.config?.plugins ?? { auth: true, metrics: true };
  const { plugins, socket } = withPrivateTmux(wanted, dataDir);
  if (socket) {
    // After the kernel has stopped (so nothing relaunches a worker): every pane host and agent, then tmux.
    t.teardown(() => {
      killWorkerProcesses(dataDir);
      killTmuxServer(socket);
    });
  }
  const config = resolveConfig(
    {
      ...options.config,
      dataDir,
      ...(storage ? { storage } : {}),
      server: { port: 0, ...options.config?.server },
      plugins,
    },
    { env: options.env ?? {}, cwd: dataDir },
  );
  const kernel = await Kernel.boot({ config, plugins: options.extraPlugins, pluginDirs: options.pluginDirs, log });
  t.teardown(() => kernel.stop());
  return fleetOf(kernel, dataDir, logs, socket);
}

function fleetOf(kernel: Kernel, dataDir: string, logs: string[], socket: string | undefined): TestFleet {
  const url = kernel.url;
  return {
    kernel,
    url,
    dataDir,
    adminKey: kernel.adminKey,
    logs,
    storage: kernel.config.storage,
    tmuxSocket: socket,
    async register(handle, teamName, agentType = 'worker', role) {
      const response = await requestJson(url, 'POST', '/auth', {
        token: kernel.adminKey,
        body: { handle, teamName, agentType, role },
      });
      if (response.status !== 200)
        throw new Error(`register ${handle} failed: ${response.status} ${JSON.stringify(response.body)}`);
      return { uid: response.body.uid, token: response.body.token };
    },
    request: (method, path, requestOptions) => requestJson(url, method, path, requestOptions),
  };
}

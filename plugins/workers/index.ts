import { fileURLToPath } from 'node:url';
import { agentUid, definePlugin } from '../../core/index.js';
import { FLEET_BIN } from '../../core/mcp/install.js';
import { TmuxDriver } from '../../core/workers/tmux.js';
import type { AuthApi } from '../auth/index.js';
import type { MailApi } from '../mail/index.js';
import { WorkerManager } from './manager.js';
import { workersMigration } from './migrations/0001-workers.js';
import { workersOptionsSchema } from './options.js';
import { registerWorkerRoutes } from './routes.js';
import { workerTools } from './tools.js';
import { WorkerStore } from './worker-store.js';

export type { WorkerView, WorkerState } from './worker-store.js';

const TMUX_CONF = fileURLToPath(new URL('../../config/tmux.conf', import.meta.url));

/** Each running instance's api, by its context: start and stop get the same context setup got. */
const running = new WeakMap<object, WorkersApi>();

/** What dependents get from ctx.use('workers'); it also serves the tasks plugin's WorkerInput. */
export interface WorkersApi {
  manager: WorkerManager;
  tmux: TmuxDriver;
  session: string;
  isLive(teamName: string, handle: string): Promise<boolean>;
  sendToWorker(teamName: string, handle: string, text: string): Promise<void>;
}

export const workers = definePlugin({
  name: 'workers',
  description: 'Workers (Claude Code or any CLI) in tmux panes: spawn, lifecycle, health, restart, re-adoption, worktrees, spawn queue.',
  dependsOn: ['auth'],
  optionalDependsOn: ['mail'],
  config: workersOptionsSchema,
  migrations: { '0001_workers': workersMigration },
  setup(ctx): WorkersApi {
    const options = () => ctx.options;
    const session = ctx.config.tmux.session;
    const tmux = new TmuxDriver({ socket: ctx.config.tmux.socket, configFile: TMUX_CONF });
    const auth = () => ctx.use<AuthApi>('auth');
    const manager = new WorkerManager({
      store: new WorkerStore(ctx.db),
      tmux,
      session,
      dataDir: ctx.config.dataDir,
      options,
      log: ctx.log,
      publish: ctx.events.publish,
      async credentials(teamName, handle) {
        const identity = { uid: agentUid(teamName, handle), handle, teamName, agentType: 'worker' as const, role: 'worker' as const };
        await auth().agents.upsert(identity);
        return ctx.tokens.mint(identity);
      },
      briefing: async (teamName, handle) => ctx.use<MailApi | undefined>('mail')?.briefing(teamName, handle),
      fleetUrl: () => ctx.fleetUrl(),
    });
    const maxWorkers = () => ctx.config.workers.max;
    manager.maxWorkers = maxWorkers;
    registerWorkerRoutes(ctx.router, manager, options, maxWorkers);
    for (const tool of workerTools(manager, options, maxWorkers)) ctx.tools.register(tool);
    ctx.health.count('workers', () => manager.store.countLive());

    // A direct message (team_send) or a task assigned to a running worker reaches its agent too.
    ctx.events.subscribe('*', (event) => {
      const data = event.data as { message?: { text?: string; fromHandle?: string; metadata?: { toHandle?: string } }; task?: { ownerHandle?: string | null; subject?: string } };
      let to: string | undefined;
      if (event.type === 'new_message') to = data.message?.metadata?.toHandle;
      else if (event.type === 'task_assigned') to = data.task?.ownerHandle ?? undefined;
      if (!to || !data.message?.text) return;
      // fromHandle keeps the seed's `collab:` prefix; the agent is told the teammate's handle.
      const text = `[${(data.message.fromHandle ?? 'fleet').replace(/^collab:/, '')}] ${data.message.text}`;
      void manager.isLive(event.team, to).then((live) => (live ? manager.send(event.team, to!, text) : undefined)).catch((error) => ctx.log.warn('could not forward a message to a worker', { to, error: (error as Error).message }));
    });

    // The tmux status line lists workers and their states.
    ctx.events.subscribe('*', (event) => {
      if (event.type !== 'worker_state') return;
      void manager.store
        .listLive()
        .then((rows) => tmux.setOption('@fleet_workers', rows.map((row) => `${row.handle}:${row.state}`).join(' ')))
        .catch(() => undefined);
    });

    const api: WorkersApi = {
      manager,
      tmux,
      session,
      isLive: (teamName, handle) => manager.isLive(teamName, handle),
      sendToWorker: (teamName, handle, text) => manager.send(teamName, handle, text),
    };
    running.set(ctx, api);
    return api;
  },
  /** The fleet's tmux session exists while the fleet runs; workers from a previous run are re-adopted. */
  async start(ctx) {
    const api = running.get(ctx)!;
    const begin = async () => {
      const created = await ensureFleetSession(api.tmux, api.session, ctx.fleetUrl());
      ctx.log.info(`tmux session ${api.session} on socket ${ctx.config.tmux.socket} ${created ? 'created' : 'found'}: attach with \`fleet attach\``);
      await api.manager.start();
    };
    if (urlKnown(ctx.fleetUrl())) return begin();
    // Port 0: the fleet's URL is known only once the server listens, which the kernel does right
    // after every plugin has started. Agents (re)launched now would get a URL ending in :0, so
    // re-adoption, restarts and the queue wait for it; spawn, send and dismiss wait for them.
    api.manager.starting = (async () => {
      const deadline = Date.now() + 60_000;
      while (!urlKnown(ctx.fleetUrl())) {
        if (Date.now() > deadline) throw new Error('the fleet did not start listening');
        await new Promise((resolveWait) => setTimeout(resolveWait, 10));
      }
      await begin();
    })().catch((error) => ctx.log.error('workers could not start', { error }));
  },
  /** Detach without stopping workers: they outlive the server and are re-adopted by the next one. */
  async stop(ctx) {
    await running.get(ctx)?.manager.close();
  },
});

/** Whether a URL names a real port (a fleet on port 0 knows its port only once it listens). */
function urlKnown(url: string): boolean {
  try {
    return new URL(url).port !== '0';
  } catch {
    return false;
  }
}

/** Create the fleet's tmux session (first window: the board) if it is missing. */
export async function ensureFleetSession(tmux: TmuxDriver, session: string, fleetUrl: string): Promise<boolean> {
  return tmux.ensureSession(session, { cwd: process.cwd(), windowName: 'fleet', argv: [process.execPath, FLEET_BIN, 'board', '--url', fleetUrl] });
}

import { fileURLToPath } from 'node:url';
import { agentUid, dataFence, definePlugin, FLEET_BIN, fleetTmuxSocket, isLead, TmuxDriver } from '../../core/index.js';
import type { AuthApi } from '../auth/index.js';
import type { MailApi } from '../mail/index.js';
import { attachCommand } from './attach-command.js';
import { rescueCommand } from './rescue-command.js';
import { type BriefingSource, BriefingSources } from './briefing-sources.js';
import type { TranscriptListener } from './transcript-entries.js';
import { workersErrors } from './errors.js';
import { workersEvents } from './events.js';
import { WorkerManager } from './manager.js';
import { workersMigration } from './migrations/0001-workers.js';
import { teamScopedHandlesMigration } from './migrations/0002-team-scoped-handles.js';
import { exitsAndTotalsMigration } from './migrations/0003-exits-and-totals.js';
import { nextSessionMigration } from './migrations/0004-next-session.js';
import { pauseAndQuotaMigration } from './migrations/0005-pause-and-quota.js';
import { swarmIdMigration } from './migrations/0006-swarm-id.js';
import { worktreeRescuesMigration } from './migrations/0007-worktree-rescues.js';
import { type Admission, Admissions } from './pause.js';
import { QuotaBreaker } from './quota.js';
import { type LaunchGuard, LaunchGuards } from './launch-guards.js';
import { operationsOfWorkers } from './operations.js';
import { type WorkersOptions, workersOptionsSchema } from './options.js';
import { workersTables } from './tables.js';
import { statusLine } from './status-line.js';
import { WorkerStore, workerView } from './worker-store.js';
import { type WorktreeSetup, WorktreeSetups } from './worktree-setups.js';
import { WorktreeRescues } from './rescues.js';

export type { WorkerView, WorkerState } from './worker-store.js';
export type { Enforcement, GuardedWorker, LaunchGuard, SettingSource } from './launch-guards.js';
export type { BriefingSource } from './briefing-sources.js';
export type { WorktreeSetup, WorktreeSetupTarget } from './worktree-setups.js';
export type { Removal, RescueReason, RescueView, WorktreeRescues } from './rescues.js';
export type { Admission, AdmissionRequest, PauseReason, WorkerPause } from './pause.js';
export type { QuotaState } from './quota.js';
export type { UsageLimit } from './usage-limit.js';
export type { ModelFigures, TokenCounts, UsageReport } from './usage.js';
export type {
  TranscriptBatch,
  TranscriptEntry,
  TranscriptListener,
  TranscriptToolResult,
} from './transcript-entries.js';

const TMUX_CONF = fileURLToPath(new URL('../../config/tmux.conf', import.meta.url));

/** What dependents get from ctx.use('workers'); it also serves the tasks plugin's WorkerInput. */
export interface WorkersApi {
  manager: WorkerManager;
  tmux: TmuxDriver;
  session: string;
  options: WorkersOptions;
  isLive(teamName: string, handle: string): Promise<boolean>;
  sendToWorker(teamName: string, handle: string, text: string): Promise<void>;
  /** End the tokens of a worker's agent (it was dismissed). */
  revokeTokens(teamName: string, handle: string, reason: string): Promise<void>;
  /**
   * Hold every worker launched from now on to a guard (see launch-guards.ts): its Claude Code settings
   * go to each claude worker (spawns, restarts, --resume), and a strict guard refuses other CLIs.
   * Returns the function that removes it (call it on stop). Workers already running keep how they
   * were launched until they restart; GET /orchestrate/workers says which are enforced.
   */
  addLaunchGuard(guard: LaunchGuard): () => void;
  /**
   * Add text to the first prompt of every worker launched from now on, and to the first prompt of
   * a session a worker continues in: each source's text follows the mail briefing, in the order
   * the sources were added (a source that throws or returns nothing is left out). Returns the
   * function that removes it (call it on stop). Restarts with --resume get none: they continue.
   */
  addBriefingSource(source: BriefingSource): () => void;
  /**
   * Hear what agents write, one batch per read of a worker's log (from the parser's events),
   * synchronously on the output path: a listener keeps the batch and returns at once (the sessions
   * plugin indexes them later, in batches; the swarm plugin turns them into trails). A batch
   * (TranscriptBatch) carries `entries`: text blocks and tool calls (each call with its `toolUseId`,
   * tool `name`, `input` and the `paths` it named), and `toolResults`: the outcomes of the worker's
   * own calls (`toolUseId`, `isError`, a preview `text`), which often arrive in a later batch than
   * their call. A batch has at least one entry or one result. Returns the remover.
   */
  addTranscriptListener(listener: TranscriptListener): () => void;
  /**
   * Put a check before every spawn (queued ones too, when they would start), every input sent to a
   * worker and every resume (see pause.ts): throw a coded error to refuse, answer `{ wait }` to hold a
   * spawn in the queue. Returns the remover (call it on stop).
   */
  addAdmission(check: Admission): () => void;
  /**
   * Prepare every worker's worktree before its agent starts (a hook, a config): the setup runs after
   * the worktree is added or reused and before each launch of the agent in it (spawn, restart,
   * resume, fresh session), with that launch's token and the fleet's URL; it must be idempotent. One
   * that throws is logged and the worker starts anyway. Returns the remover (call it on stop).
   */
  addWorktreeSetup(setup: WorktreeSetup): () => void;
  /**
   * Worktrees are never deleted dirty: `removeWorktree(team, handle, by, reason)` removes an ended
   * worker's worktree after saving what it holds (uncommitted changes, untracked files, commits on no
   * remote branch) to `refs/fleet/rescue/<handle>/<time>`; `list`, `get`, `restore`, `cleanup`.
   * Any plugin removing a worker's worktree goes through it.
   */
  rescues: WorktreeRescues;
  /** The account's usage-limit breaker: parked workers, the reset, resuming them staggered. */
  quota: QuotaBreaker;
}

export const workers = definePlugin({
  name: 'workers',
  description:
    'Workers (Claude Code or any CLI) in tmux panes: ' +
    'spawn, lifecycle, health, restart, re-adoption, worktrees, spawn queue.',
  dependsOn: ['auth'],
  optionalDependsOn: ['mail'],
  config: workersOptionsSchema,
  env: { MAX_WORKERS: 'max' },
  tables: workersTables,
  migrations: {
    '0001_workers': workersMigration,
    '0002_team_scoped_handles': teamScopedHandlesMigration,
    '0003_exits_and_totals': exitsAndTotalsMigration,
    '0004_next_session': nextSessionMigration,
    '0005_pause_and_quota': pauseAndQuotaMigration,
    '0006_swarm_id': swarmIdMigration,
    '0007_worktree_rescues': worktreeRescuesMigration,
  },
  errors: workersErrors,
  events: workersEvents,
  operations: operationsOfWorkers,
  commands: { attach: attachCommand, rescue: rescueCommand },
  panel: { entry: fileURLToPath(new URL('./panel/index.js', import.meta.url)), title: 'Workers', order: 10 },
  setup(ctx): WorkersApi {
    const options = ctx.options;
    const { session } = options.tmux;
    const tmux = new TmuxDriver({ socket: fleetTmuxSocket(ctx.config, options.tmux.socket), configFile: TMUX_CONF });
    const auth = () => ctx.use<AuthApi>('auth');
    const guards = new LaunchGuards();
    const briefings = new BriefingSources();
    const admissions = new Admissions();
    const worktreeSetups = new WorktreeSetups();
    const manager = new WorkerManager({
      guards,
      admissions,
      worktreeSetups,
      // The breaker is built after the manager (it pauses and resumes through it); no agent writes before.
      onUsageLimit: (row, limit) => void quota.onLimit(row, limit),
      store: new WorkerStore(ctx.db),
      tmux,
      session,
      dataDir: ctx.config.dataDir,
      options: () => options,
      log: ctx.log,
      emit: ctx.events.emit,
      async credentials(teamName, handle) {
        const identity = {
          uid: agentUid(teamName, handle),
          handle,
          teamName,
          agentType: 'worker' as const,
          role: 'worker' as const,
        };
        return (await auth().issueToken(identity)).token;
      },
      agentOf: (teamName, handle) => auth().agents.findByHandle(teamName, handle),
      async briefing(teamName, handle) {
        const mail = await ctx.use<MailApi | undefined>('mail')?.briefing(teamName, handle);
        const others = await briefings.briefing(teamName, handle, ctx.log);
        return [mail, others].filter((text) => text !== undefined && text !== '').join('\n\n') || undefined;
      },
      fleetUrl: () => ctx.fleetUrl(),
    });
    manager.maxWorkers = () => options.max;
    const quota = new QuotaBreaker({
      db: manager.store.db,
      workers: manager,
      options: () => options.quota,
      log: ctx.log,
      emit: ctx.events.emit,
    });
    admissions.add((request) => quota.admit(request));
    const rescues = new WorktreeRescues({
      db: manager.store.db,
      store: manager.store,
      dataDir: ctx.config.dataDir,
      log: ctx.log,
      emit: ctx.events.emit,
    });
    ctx.health.count('workers', (team) => manager.store.countLive(team));
    // A direct message (team_send) or a task assigned to a running worker reaches its agent too,
    // fenced as data with its sender. The recipient is read from metadata only the fleet may set
    // (callers cannot), and must be a member of the chat the message was posted to.
    const forwardToWorker = async (
      team: string,
      chatId: string,
      to: string,
      message: { fromUid: string; fromHandle: string; text: string },
      kind: string,
    ) => {
      const chats = ctx.use<MailApi | undefined>('mail')?.chats;
      if (!chats || !(await chats.isMember(chatId, agentUid(team, to), team))) return;
      if (!(await manager.isLive(team, to))) return;
      const sender = await auth().agents.get(message.fromUid);
      const role = sender ? (isLead(sender) ? 'team lead' : 'worker') : undefined;
      // fromHandle keeps the seed's `collab:` prefix; the agent is told the teammate's handle.
      const from = message.fromHandle.replace(/^collab:/, '');
      await manager.send(team, to, dataFence({ kind, from, role }, message.text));
    };
    ctx.events.on(['new_message', 'task_assigned'], (event) => {
      const { chatId, message } = event.data;
      const assignment = event.type === 'task_assigned';
      const to = assignment ? event.data.task.ownerHandle : (message.metadata as { toHandle?: unknown }).toHandle;
      if (typeof to !== 'string' || !message.text) return;
      void forwardToWorker(event.team, chatId, to, message, assignment ? 'task assignment' : 'direct message').catch(
        (error) => ctx.log.warn('could not forward a message to a worker', { to, error: (error as Error).message }),
      );
    });
    // The tmux status line (statusLine): what needs a person first, marked, then failed workers (kept
    // until dismissed or replaced, so a failure is not missed), then the rest.
    // One refresh at a time, each reading the table after the last: the line ends at the latest states.
    let refresh = Promise.resolve();
    ctx.events.on(['worker_state', 'worker_needs_you'], () => {
      refresh = refresh
        .then(() => manager.store.listOnBoard(undefined))
        .then((rows) => tmux.setOption('@fleet_workers', statusLine(rows.map((row) => workerView(row)))))
        .catch(() => undefined);
    });
    return {
      manager,
      tmux,
      session,
      options,
      isLive: (teamName, handle) => manager.isLive(teamName, handle),
      sendToWorker: (teamName, handle, text) => manager.send(teamName, handle, text),
      revokeTokens: async (teamName, handle, reason) => void (await auth().revoke(agentUid(teamName, handle), reason)),
      addLaunchGuard(guard) {
        const remove = guards.add(guard);
        ctx.log.info(`launch guard ${guard.name} added: workers launched from now on are held to it`);
        let removed = false;
        return () => {
          if (removed) return;
          removed = true;
          remove();
          ctx.log.info(`launch guard ${guard.name} removed`);
        };
      },
      addBriefingSource: (source) => briefings.add(source),
      addAdmission: (check) => admissions.add(check),
      addWorktreeSetup: (setup) => worktreeSetups.add(setup),
      rescues,
      quota,
      addTranscriptListener(listener) {
        // One entry per call: the same function added twice is removed once per remover.
        const entry: TranscriptListener = (batch) => listener(batch);
        manager.transcriptListeners.add(entry);
        return () => void manager.transcriptListeners.delete(entry);
      },
    };
  },
  /** The fleet's tmux session exists while the fleet runs; workers from a previous run are re-adopted. */
  async start(ctx, api) {
    await api.quota.load();
    const begin = async () => {
      const created = await ensureFleetSession(api.tmux, api.session, ctx.fleetUrl(), ctx.config.dataDir);
      ctx.log.info(
        `tmux session ${api.session} on socket ${api.tmux.socket} ${created ? 'created' : 'found'}: ` +
          'attach with `fleet attach`',
      );
      await api.manager.start();
      await api.quota.start();
    };
    if (ctx.listening()) return begin();
    // At boot the kernel listens right after every plugin has started. Until it does, the tmux
    // session is not created (a fleet whose port is taken leaves no session and no board behind),
    // and on port 0 the URL agents would get ends in :0. So re-adoption, restarts and the queue
    // wait for it; spawn, send and dismiss wait for them.
    api.manager.starting = (async () => {
      const deadline = Date.now() + 60_000;
      while (!ctx.listening()) {
        if (api.manager.closing) return;
        if (Date.now() > deadline) throw new Error('the fleet did not start listening');
        await new Promise((resolveWait) => setTimeout(resolveWait, 10));
      }
      await begin();
    })().catch((error) => ctx.log.error('workers could not start', { error }));
  },
  /** Detach without stopping workers: they outlive the server and are re-adopted by the next one. */
  async stop(_ctx, api) {
    if (!api) return;
    api.quota.close();
    await api.manager.close();
    // A start still under way (waiting for the server to listen) finishes before the kernel closes
    // the database under it; whatever it attached meanwhile is detached again.
    await api.manager.starting;
    await api.manager.close();
  },
});

/** Create the fleet's tmux session (first window: the board) if it is missing. */
export async function ensureFleetSession(
  tmux: TmuxDriver,
  session: string,
  fleetUrl: string,
  dataDir: string,
): Promise<boolean> {
  // The board reads the admin key from the data dir itself: no secret on a command line.
  return tmux.ensureSession(session, {
    cwd: process.cwd(),
    windowName: 'fleet',
    argv: [process.execPath, FLEET_BIN, 'board', '--url', fleetUrl, '--data-dir', dataDir],
  });
}

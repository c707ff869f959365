import { defineEvents } from '../../core/index.js';
import type { WorkerHealth, WorkerState } from './tables.js';
import type { PermissionDenial } from './permission-denials.js';
import type { WorkerView } from './worker-store.js';
import type { TokenCounts, UsageReport } from './usage.js';
import type { PauseReason, pauseView } from './pause.js';
import type { QuotaState } from './quota.js';
import type { RescueView } from './rescues.js';

declare module '../../core/index.js' {
  interface FleetEventMap {
    worker_spawned: { handle: string; worker: WorkerView };
    worker_state: { handle: string; state: WorkerState; previous: WorkerState };
    worker_output: { handle: string; offset: number; line: string };
    worker_result: {
      handle: string;
      isError: boolean;
      result: string | null;
      costUsd: number | null;
      numTurns: number | null;
    };
    /**
     * What one result reports about spending (cumulative per session, as the agent gives it), with
     * where it is: `workerCreatedAt` and `offset` (just past the result's line in the worker's log)
     * name the result, so one read again after a server restart is known as the same.
     */
    worker_usage: UsageReport & {
      handle: string;
      sessionId: string | null;
      /** The model the session's last init named (the one to charge when modelUsage is absent). */
      model: string | null;
      workerCreatedAt: number;
      offset: number;
      /** The worker's restart count when the result came: a new run of the same session. */
      run: number;
      isError: boolean;
      numTurns: number | null;
    };
    /**
     * A worker's agent runs in another session from now on: `spawn` (its first), `continued` (a
     * fresh session asked for, see WorkerManager.freshSession), `reported` (the agent said so).
     */
    worker_session: {
      handle: string;
      sessionId: string;
      previous: string | null;
      reason: 'spawn' | 'continued' | 'reported';
      workerCreatedAt: number;
    };
    worker_error: { handle: string; result: string | null };
    worker_health: { handle: string; health: WorkerHealth; previous: WorkerHealth; secondsSinceHeartbeat: number };
    worker_stalled: { handle: string; secondsSilent: number };
    /** The agent was refused tool calls for want of permission: a person must allow them or redirect it. */
    worker_needs_you: { handle: string; reason: 'permission_denied'; denials: PermissionDenial[] };
    /** `error`: the exit and the tail of the agent's stderr (null for external workers). */
    worker_exit: { handle: string; code: number | null; signal: string | null; error: string | null };
    worker_restart: { handle: string; attempt: number; resume: string | null };
    worker_failed: {
      handle: string;
      code: number | null;
      signal: string | null;
      restarts: number;
      error: string | null;
    };
    worker_dismissed: { handle: string };
    /** One request the agent made to its model (a message id, counted once), as its log is read: before the result. */
    worker_request: { handle: string; messageId: string; model: string; tokens: TokenCounts };
    /** The worker's agent was stopped and the worker waits, everything kept, until it is resumed. */
    /** `pause` as the worker's view shows it (times as ISO strings). */
    worker_paused: { handle: string; pause: NonNullable<ReturnType<typeof pauseView>> };
    worker_resumed: { handle: string; reason: PauseReason | null; pausedMs: number | null; by: string | null };
    spawn_queued: { id: number; handle: string };
    /** An agent hit the account's usage limit: its worker is parked, and no new worker starts until the reset. */
    quota_limited: { handle: string; quota: QuotaState };
    /** The usage limit is over (its reset came, or a lead said so): parked workers resume, a few at a time. */
    quota_cleared: { by: string; parked: number };
    /** A worker's worktree held work removal would lose: it was committed to a rescue ref first. */
    worktree_rescued: { handle: string; rescue: RescueView };
    /** A worker's worktree was removed (`rescueId`: the rescue taken first, null when it was clean). */
    worktree_removed: { handle: string; path: string; rescueId: number | null };
    /** A rescue was restored into a new worktree on a new branch. */
    worktree_restored: { handle: string; rescueId: number; path: string; branch: string };
  }
}

const perWorker = (data: { handle: string }) => `workers.${data.handle}`;

export const workersEvents = defineEvents({
  worker_spawned: { topic: perWorker, summary: 'A worker was started (or an external one registered)' },
  worker_state: {
    topic: perWorker,
    summary: 'A worker moved between starting, ready, working, idle, paused, stopping, stopped, failed',
  },
  worker_output: { topic: perWorker, summary: 'One line its agent wrote, with its byte offset in the log' },
  worker_result: { topic: perWorker, summary: 'The agent finished a turn: result text, cost, turns' },
  worker_usage: {
    topic: perWorker,
    summary: 'What a result reports about spending: tokens by model, cost, the context size (cumulative per session)',
  },
  worker_session: { topic: perWorker, summary: 'The agent runs in another session: spawn, continued or reported' },
  worker_needs_you: {
    topic: perWorker,
    summary:
      'The agent was refused tool calls (permission_denials): they are in the worker’s needsYou until a turn without',
  },
  worker_error: { topic: perWorker, summary: 'A turn ended in an error' },
  worker_health: {
    topic: perWorker,
    summary: 'Health changed (degraded after 30 s without a heartbeat, unhealthy after 60 s)',
  },
  worker_stalled: { topic: perWorker, summary: 'A working agent has been silent for long (it is not killed)' },
  worker_exit: { topic: perWorker, summary: 'The agent process exited unasked' },
  worker_restart: { topic: perWorker, summary: 'The agent is restarted with --resume' },
  worker_failed: { topic: perWorker, summary: 'Out of restarts, or it could not start: the worker failed' },
  worker_dismissed: { topic: perWorker, summary: 'A worker was stopped on request' },
  worker_request: {
    topic: perWorker,
    summary: 'The agent made a model request (its tokens), as its log is read: budgets count these mid-turn',
  },
  worker_paused: {
    topic: perWorker,
    summary: 'The worker was paused (a budget, a usage limit, a lead): its agent stopped, its session kept',
  },
  worker_resumed: { topic: perWorker, summary: 'A paused worker was launched again with --resume' },
  spawn_queued: { topic: 'spawn-queue', summary: 'A spawn waits for a free worker slot' },
  quota_limited: {
    topic: 'quota',
    summary: "An agent hit the account's usage limit: its worker is parked and new spawns wait for the reset",
  },
  quota_cleared: { topic: 'quota', summary: 'The usage limit is over: parked workers resume, staggered' },
  worktree_rescued: {
    topic: perWorker,
    summary: 'A worktree held uncommitted changes, untracked files or unpushed commits: saved to a rescue ref first',
  },
  worktree_removed: {
    topic: perWorker,
    summary: 'A worker’s worktree was removed (after its rescue, if it needed one)',
  },
  worktree_restored: { topic: perWorker, summary: 'A rescue was restored into a new worktree on a new branch' },
});

import { defineEvents } from '../../core/index.js';
import type { WorkerHealth, WorkerState } from './tables.js';
import type { PermissionDenial } from './permission-denials.js';
import type { WorkerView } from './worker-store.js';

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
    spawn_queued: { id: number; handle: string };
  }
}

const perWorker = (data: { handle: string }) => `workers.${data.handle}`;

export const workersEvents = defineEvents({
  worker_spawned: { topic: perWorker, summary: 'A worker was started (or an external one registered)' },
  worker_state: {
    topic: perWorker,
    summary: 'A worker moved between starting, ready, working, idle, stopping, stopped, failed',
  },
  worker_output: { topic: perWorker, summary: 'One line its agent wrote, with its byte offset in the log' },
  worker_result: { topic: perWorker, summary: 'The agent finished a turn: result text, cost, turns' },
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
  spawn_queued: { topic: 'spawn-queue', summary: 'A spawn waits for a free worker slot' },
});

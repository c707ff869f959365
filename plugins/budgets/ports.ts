import type { Identity } from '../../core/index.js';

/**
 * What this plugin uses of the workers, policy and tasks plugins (issue 13's contract), as
 * structural types: it builds and runs without them, and uses each part only once it is there.
 */

/** A workers row as far as this plugin reads it. */
export interface WorkerRowLike {
  handle: string;
  team_name: string;
  state: string;
  /** JSON of the worker's pause (null: not paused). */
  pause?: string | null;
}

export interface WorkerPauseLike {
  reason: string;
  source: string | null;
}

export interface AdmissionRequest {
  action: 'spawn' | 'send' | 'resume';
  teamName: string;
  handle: string;
  by?: string;
}

export interface WorkersPort {
  manager: {
    pause?(
      teamName: string,
      handle: string,
      request: { reason: 'budget'; detail: string; source?: string },
    ): Promise<unknown>;
    resume?(teamName: string, handle: string, options?: { by?: string }): Promise<unknown>;
    store: {
      listLive(): Promise<WorkerRowLike[]>;
      listPaused?(teamName?: string): Promise<WorkerRowLike[]>;
      get(teamName: string, handle: string): Promise<WorkerRowLike | undefined>;
    };
  };
  addAdmission?(check: (request: AdmissionRequest) => Promise<{ wait: string } | undefined | void>): () => void;
}

export interface ApprovalItemLike {
  id?: string | number;
  teamName?: string;
  kind?: string;
  key?: string;
  subject?: unknown;
}

export interface PolicyPort {
  addGate?(gate: {
    name: string;
    check(
      caller: Identity,
      request: { tool: string; input: Record<string, unknown> },
    ): Promise<{ reason: string } | undefined>;
  }): () => void;
  approvals?: {
    openItem?(item: {
      teamName: string;
      kind: string;
      summary: string;
      reason: string;
      subject: Record<string, unknown>;
      requester: { uid: string; handle: string };
      key: string;
    }): Promise<unknown>;
    onItemDecided?(
      kind: string,
      handler: (
        item: ApprovalItemLike,
        decision: 'approved' | 'denied',
        by: { uid: string; handle: string },
      ) => void | Promise<void>,
    ): () => void;
    closeItem?(teamName: string, kind: string, key: string, note: string): Promise<unknown>;
  };
}

export interface TaskAdmissionRequest {
  action: 'assign' | 'claim';
  teamName: string;
  taskId: string;
  ownerHandle: string;
}

export interface TasksPort {
  tasks: { get(teamName: string, id: string): Promise<{ id: string; ownerHandle: string | null } | undefined> };
  addAdmission?(check: (request: TaskAdmissionRequest) => Promise<void>): () => void;
}

/** A worker's pause from its row's JSON (null: none, or unreadable). */
export function pauseOf(row: WorkerRowLike | undefined): WorkerPauseLike | null {
  if (!row?.pause) return null;
  try {
    const pause = JSON.parse(row.pause) as WorkerPauseLike;
    return typeof pause?.reason === 'string' ? pause : null;
  } catch {
    return null;
  }
}

import type { Identity } from '../../../core/index.js';
import type { TemplateContext } from './action.js';

/**
 * What the dispatcher uses of other plugins and of the scheduler's other parts, as structural
 * types: each part is used once it is there, and a missing one refuses the action saying so.
 */
export interface WorkersPort {
  options: { defaultAdapter: string; workingDir?: string; max: number };
  sendToWorker(teamName: string, handle: string, text: string): Promise<void>;
  manager: {
    spawn(
      request: { handle: string; teamName: string; adapter: string; prompt?: string; cwd: string },
      spawnedBy: Identity,
      maxWorkers: number,
    ): Promise<{ queued: false } | { queued: true; id: number; position: number }>;
    store: { get(teamName: string, handle: string): Promise<{ state: string } | undefined> };
  };
}

export interface AgentLike {
  uid: string;
  handle: string;
  teamName: string;
  agentType: string;
  role: string;
  createdAt: string;
  lastSeen: string | null;
}

export interface AuthPort {
  agents: {
    get(uid: string): Promise<AgentLike | undefined>;
    findByHandle(teamName: string, handle: string): Promise<AgentLike | undefined>;
  };
}

export interface TasksPort {
  tasks: {
    create(input: {
      teamName: string;
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tasks plugin's TeamAgent
      creator: any;
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      owner?: any;
      subject: string;
      description?: string | null;
    }): Promise<{ id: string }>;
  };
}

/** A job of S2's queue as far as the scheduler reads it. */
export interface JobLike {
  id: string | number;
  team?: string;
  teamName?: string;
  status?: string;
  state?: string;
  origin?: { kind: string; id: string } | null;
  reason?: string | null;
  error?: string | null;
  lastError?: string | null;
  evidence?: unknown;
}

export interface QueuePort {
  enqueue(job: {
    team: string;
    kind: string;
    name: string;
    payload: unknown;
    priority?: 'critical' | 'high' | 'normal' | 'low';
    origin?: { kind: string; id: string };
    trigger?: 'cron' | 'webhook' | 'manual' | 'alert';
    triggerEvent?: string;
    repository?: string;
  }): Promise<JobLike>;
  onSettled?(listener: (job: JobLike) => void): () => void;
}

export interface AuditPort {
  start(team: string, options: { quick?: boolean; actor?: string }): Promise<unknown>;
}

export type { TemplateContext };

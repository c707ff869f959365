/**
 * What this plugin uses of the workers plugin, as structural types: it builds and runs without it
 * (swarms then have no members), and reads it at call time (it may be turned on or off).
 */
export interface WorkerRowLike {
  handle: string;
  team_name: string;
  state: string;
  swarm_id?: string | null;
  /** Epoch milliseconds of the row's last write. */
  updated_at?: number | string;
}

export interface SwarmAdmissionRequest {
  action: 'spawn' | 'send' | 'resume';
  teamName: string;
  handle: string;
  by?: string;
  swarmId?: string;
}

export interface WorkersPort {
  manager: {
    dismiss(teamName: string, handle: string): Promise<unknown>;
    store: {
      get(teamName: string, handle: string): Promise<WorkerRowLike | undefined>;
      listSwarm?(teamName: string, swarmId: string): Promise<WorkerRowLike[]>;
    };
  };
  isLive(teamName: string, handle: string): Promise<boolean>;
  sendToWorker(teamName: string, handle: string, text: string): Promise<void>;
  revokeTokens(teamName: string, handle: string, reason: string): Promise<void>;
  addAdmission?(check: (request: SwarmAdmissionRequest) => Promise<{ wait: string } | undefined | void>): () => void;
}

/** Worker states that count as a member of its swarm (not stopped, not failed). */
export const ENDED_STATES: readonly string[] = ['stopped', 'failed'];

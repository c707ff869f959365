/**
 * Pausing a worker: its agent is stopped, everything else is kept (the row, the session, the worktree,
 * the task it holds, its slot), and resume launches it again with `--resume`. A budget (the budgets
 * plugin), the account's usage limit (quota.ts) or a lead pauses; each pause says why.
 */

export type PauseReason = 'budget' | 'quota' | 'lead';

export interface WorkerPause {
  reason: PauseReason;
  /** Why, in words: the budget, what the agent said about its limit, the lead's note. */
  detail: string;
  /** What paused it: a budget's id, `quota`, a lead's handle. */
  source: string | null;
  /** A usage limit's reset (ms since the epoch); null when unknown or weekly: then a lead decides. */
  resetsAt: number | null;
  /** When it was paused (ms since the epoch). */
  since: number;
  /** The agent was in a turn: on resume it is told to continue where it left off. */
  midTurn: boolean;
}

/** What a pause asks for; since and midTurn are the manager's. */
export type PauseRequest = Pick<WorkerPause, 'reason' | 'detail'> & Partial<Pick<WorkerPause, 'source' | 'resetsAt'>>;

/** A row's pause column, read back; null for none (or one that cannot be read: the worker is not held). */
export function parsePause(json: string | null): WorkerPause | null {
  if (json === null) return null;
  try {
    const value = JSON.parse(json) as WorkerPause;
    return typeof value === 'object' && value !== null && typeof value.reason === 'string' ? value : null;
  } catch {
    return null;
  }
}

/** A pause as the worker's view shows it (times as ISO strings). */
export function pauseView(pause: WorkerPause | null) {
  if (!pause) return null;
  return {
    reason: pause.reason,
    detail: pause.detail,
    source: pause.source,
    resetsAt: pause.resetsAt === null ? null : new Date(pause.resetsAt).toISOString(),
    since: new Date(pause.since).toISOString(),
    midTurn: pause.midTurn,
  };
}

/** What a worker's launch must pass: an admission check may refuse (throw) or ask it to wait. */
export interface AdmissionRequest {
  action: 'spawn' | 'send' | 'resume';
  teamName: string;
  handle: string;
  /** Who asks (a handle), when known. */
  by?: string;
  /** A spawn into a swarm (the swarm plugin holds it to the swarm's maxAgents). */
  swarmId?: string;
}

/**
 * A check another plugin (budgets) or this one (the usage-limit breaker) puts before spawns, input
 * and resumes. Throw a coded error to refuse; answer `{ wait }` for "not now": a spawn is queued and
 * starts when the queue is drained after the wait is over, input and resumes are refused (409).
 */
export type Admission = (request: AdmissionRequest) => Promise<{ wait: string } | undefined | void>;

/** The checks in force, in the order they were added. */
export class Admissions {
  readonly #checks: Admission[] = [];

  add(check: Admission): () => void {
    const entry: Admission = (request) => check(request);
    this.#checks.push(entry);
    return () => {
      const at = this.#checks.indexOf(entry);
      if (at !== -1) this.#checks.splice(at, 1);
    };
  }

  /** The first wait asked for, or undefined when every check lets it through; a refusal throws. */
  async admit(request: AdmissionRequest): Promise<string | undefined> {
    for (const check of this.#checks) {
      const answer = await check(request);
      if (answer && typeof answer.wait === 'string') return answer.wait;
    }
    return undefined;
  }
}

import { isApiError, type Logger } from '../../core/index.js';
import { tasksErrors } from './errors.js';

/**
 * What a check is asked before a task gets an owner: a create with an owner (`assign`, with the id
 * the task will have: it is chosen before the insert, so it is never null) or a claim (`claim`, with
 * the task about to be taken; a claim without an id asks about each candidate it tries).
 */
export interface TaskAdmissionRequest {
  action: 'assign' | 'claim';
  teamName: string;
  taskId: string;
  ownerHandle: string;
}

/** Throw a coded error (a plugin's defineErrors) to refuse; return to let the task be owned. */
export type TaskAdmission = (request: TaskAdmissionRequest) => Promise<void>;

/** The checks other plugins (budgets) add; every one runs, in the order added, before the write. */
export class TaskAdmissions {
  private checks: { check: TaskAdmission }[] = [];

  constructor(private readonly log: Logger) {}

  /** Returns its remover (idempotent; the same check added twice is removed once per remover). */
  add(check: TaskAdmission): () => void {
    const entry = { check };
    // A new array each time: an admission running over the old one is not disturbed.
    this.checks = [...this.checks, entry];
    let removed = false;
    return () => {
      if (removed) return;
      removed = true;
      this.checks = this.checks.filter((e) => e !== entry);
    };
  }

  /**
   * A coded refusal goes to the caller as it is; anything else is a check that could not tell, so
   * the operation fails with 503 TASKS_ADMISSION_FAILED (logged), never a 500 and never a pass.
   */
  async admit(request: TaskAdmissionRequest): Promise<void> {
    for (const { check } of this.checks) {
      try {
        await check(request);
      } catch (error) {
        if (isApiError(error)) throw error;
        this.log.error('a task admission check failed, so the task was not given an owner', {
          ...request,
          error: error instanceof Error ? error.message : String(error),
        });
        throw tasksErrors.TASKS_ADMISSION_FAILED({ action: request.action }, { taskId: request.taskId });
      }
    }
  }
}

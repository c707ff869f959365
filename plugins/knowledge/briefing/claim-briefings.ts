import type { Logger } from '../../../core/index.js';
import type { TeamTask } from '../../tasks/index.js';
import type { KnowledgeApi } from '../index.js';
import type { KnowledgeOptions } from '../options.js';

/** Tasks a worker was told about are remembered this long (and at most this many), so it is told once. */
const MAX_REMEMBERED = 10_000;

/**
 * When a running worker claims a task or is assigned one, what its team knows that matches the
 * task is sent to it as input (the same fenced text as the spawn briefing, for this task's words).
 * Once per task and owner; nothing when nothing matches or the worker does not run.
 */
export class ClaimBriefings {
  readonly #told = new Set<string>();

  constructor(
    private readonly api: KnowledgeApi,
    private readonly options: () => KnowledgeOptions,
    private readonly log: Logger,
  ) {}

  onTask(teamName: string, task: TeamTask): void {
    if (!this.options().briefOnClaim || !task.ownerHandle || task.status === 'resolved') return;
    const key = `${teamName}/${task.id}/${task.ownerHandle}`;
    if (this.#told.has(key)) return;
    this.#told.add(key);
    if (this.#told.size > MAX_REMEMBERED) this.#told.delete(this.#told.values().next().value!);
    void this.#tell(teamName, task.ownerHandle, task).catch((error: unknown) =>
      this.log.warn('knowledge: the task briefing failed', {
        handle: task.ownerHandle,
        error: (error as Error).message,
      }),
    );
  }

  async #tell(teamName: string, handle: string, task: TeamTask): Promise<void> {
    const workers = this.api.workers();
    if (!workers || !(await workers.isLive(teamName, handle))) return;
    const text = `${task.subject}\n${task.description ?? ''}`;
    const briefing = await this.api.briefingFor(teamName, handle, text);
    if (!briefing) return;
    await workers.sendToWorker(teamName, handle, `For the task you now hold, "${task.subject}":\n${briefing}`);
  }
}

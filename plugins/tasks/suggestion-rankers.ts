import type { Identity, Logger } from '../../core/index.js';
import type { TeamTask } from './task-service.js';

/**
 * Another plugin's order for the tasks a worker is shown (team_tasks, GET /tasks/team/...): it gets
 * the list and returns the same tasks in the order it prefers (the swarm plugin puts tasks whose
 * files are cold first). A ranker never adds or drops a task: what it returns that is not a task of
 * the list is ignored, and tasks it leaves out keep their place after the ones it ordered.
 */
export interface SuggestionRanker {
  name: string;
  rank(caller: Identity, tasks: readonly TeamTask[]): Promise<readonly TeamTask[]>;
}

/** How long rankers together may take before the list is given in its own order. */
const RANK_TIMEOUT_MS = 300;

export class SuggestionRankers {
  private entries: { ranker: SuggestionRanker }[] = [];

  constructor(private readonly log: Logger) {}

  /** Returns its remover (idempotent; the same ranker added twice is removed once per remover). */
  add(ranker: SuggestionRanker): () => void {
    const entry = { ranker };
    this.entries = [...this.entries, entry];
    let removed = false;
    return () => {
      if (removed) return;
      removed = true;
      this.entries = this.entries.filter((e) => e !== entry);
    };
  }

  /** The tasks in the rankers' order (each applied to the previous one's answer); a failing or slow one is skipped. */
  async rank(caller: Identity, tasks: TeamTask[]): Promise<TeamTask[]> {
    let ordered = tasks;
    for (const { ranker } of this.entries) {
      if (ordered.length < 2) break;
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), RANK_TIMEOUT_MS);
        timer.unref?.();
      });
      try {
        const answer = await Promise.race([ranker.rank(caller, ordered), late]);
        if (answer === 'late') {
          this.log.warn(`task suggestion ranker ${ranker.name} took over ${RANK_TIMEOUT_MS} ms: skipped`);
          continue;
        }
        ordered = sameTasks(ordered, answer);
      } catch (error) {
        this.log.warn(`task suggestion ranker ${ranker.name} failed: skipped`, {
          error: error instanceof Error ? error.message : String(error),
        });
      } finally {
        clearTimeout(timer);
      }
    }
    return ordered;
  }
}

/** The ranker's order over exactly the given tasks. */
function sameTasks(given: TeamTask[], answer: readonly TeamTask[]): TeamTask[] {
  const byId = new Map(given.map((task) => [task.id, task]));
  const ordered: TeamTask[] = [];
  const list: readonly unknown[] = Array.isArray(answer) ? answer : [];
  for (const task of list) {
    const id = typeof task === 'object' && task !== null ? (task as { id?: unknown }).id : undefined;
    const own = typeof id === 'string' ? byId.get(id) : undefined;
    if (!own) continue;
    ordered.push(own);
    byId.delete(own.id);
  }
  return [...ordered, ...byId.values()];
}

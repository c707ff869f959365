import type { Logger } from '../../core/index.js';

/** What a worktree setup is told: the worker, its worktree, and how its agent reaches the fleet. */
export interface WorktreeSetupTarget {
  teamName: string;
  handle: string;
  /** The worktree's absolute path (the worker's cwd). */
  path: string;
  /** Its branch, `fleet/<handle>`. */
  branch: string;
  /** The worker's own directory (`<dataDir>/workers/<team>/<handle>`, 0700): a place for files beside the tree. */
  workerDir: string;
  /** The token minted for this launch of the worker's agent. */
  token: string;
  /** The fleet's URL as the agent is given it. */
  url: string;
}

export type WorktreeSetup = (wt: WorktreeSetupTarget) => Promise<void>;

/**
 * What other plugins do to a worker's worktree before its agent starts (the leases plugin installs
 * its pre-commit hook): each setup runs, in the order added, after the worktree is added or reused
 * and before every launch of the agent in it (spawn, restart, resume, fresh session: each launch has
 * a token of its own, so a setup must be idempotent). A setup that throws is logged and the launch
 * goes on: a worker is never kept from starting by another plugin's failure.
 */
export class WorktreeSetups {
  readonly #setups = new Set<{ setup: WorktreeSetup }>();

  add(setup: WorktreeSetup): () => void {
    // An entry of its own for each add: the same function added twice is removed once per remover.
    const entry = { setup };
    this.#setups.add(entry);
    return () => void this.#setups.delete(entry);
  }

  get size(): number {
    return this.#setups.size;
  }

  async run(target: WorktreeSetupTarget, log: Logger): Promise<void> {
    for (const { setup } of [...this.#setups]) {
      try {
        await setup(target);
      } catch (error) {
        log.warn(`worktree setup failed for ${target.teamName}/${target.handle}; the worker starts anyway`, {
          error: (error as Error).message,
        });
      }
    }
  }
}

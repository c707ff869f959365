import { git, revParse } from './git.js';
import { checkoutOf } from './repo.js';

export type MoveResult =
  | { moved: true; how: 'update-ref' | 'ff-only' }
  | { moved: false; why: 'target-moved' }
  | { moved: false; why: 'checkout-refused'; detail: string };

/**
 * Move `refs/heads/<target>` from `onto` to `rebased`, by compare-and-swap: `git update-ref <new> <old>`
 * when no worktree has the target checked out; otherwise `git merge --ff-only` inside that worktree,
 * which updates its files and which git refuses rather than overwrite local changes there. A target
 * that moved meanwhile is `target-moved` (the caller rebases again), never overwritten.
 */
export async function moveTarget(
  repo: string,
  target: string,
  onto: string,
  rebased: string,
  timeoutSeconds: number,
): Promise<MoveResult> {
  const ref = `refs/heads/${target}`;
  const checkout = await checkoutOf(repo, target, timeoutSeconds);
  if (checkout === undefined) {
    try {
      await git(repo, timeoutSeconds, 'update-ref', '-m', 'fleet merge queue', ref, rebased, onto);
      return { moved: true, how: 'update-ref' };
    } catch (error) {
      if ((await revParse(repo, timeoutSeconds, ref)) !== onto) return { moved: false, why: 'target-moved' };
      throw error;
    }
  }
  if ((await revParse(checkout, timeoutSeconds, 'HEAD')) !== onto) return { moved: false, why: 'target-moved' };
  try {
    await git(checkout, timeoutSeconds, 'merge', '--ff-only', '--no-edit', '--quiet', rebased);
    return { moved: true, how: 'ff-only' };
  } catch (error) {
    if ((await revParse(checkout, timeoutSeconds, 'HEAD')) !== onto) return { moved: false, why: 'target-moved' };
    const detail = (error as Error).message;
    return { moved: false, why: 'checkout-refused', detail };
  }
}

import { join } from 'node:path';
import { executeUnit, type Finish, type RunContext } from './run-context.js';
import type { MultiRepoPlan, PlannedRepo } from './plan.js';
import { addRunWorktree, commitAll, createPullRequest, pushBranch, repositoryProblem } from './repo-git.js';
import type { UnitRow } from './store.js';
import { INTERRUPTED, type UnitOutcome } from './unit-runner.js';
import { repoResult } from './views.js';

/** Where a run's worktree of a repository lives: under the fleet's data dir, per team and run. */
export function worktreeOf(dataDir: string, team: string, runId: string, repo: string): string {
  return join(dataDir, 'orchestrate', team, runId, repo);
}

/** After the work succeeded: commit (autoCommit), push and open a pull request (createPR), as asked. */
function postProcess(ctx: RunContext, plan: MultiRepoPlan, repo: PlannedRepo, path: string): Finish {
  return async (outcome: UnitOutcome) => {
    const extra: Record<string, unknown> = { branch: repo.branch, worktree: path };
    if (outcome.status !== 'succeeded') return { ...outcome, extra };
    const team = ctx.run.team_name;
    try {
      let sha: string | undefined;
      if (plan.autoCommit) {
        sha = await commitAll(path, repo.commitMessage);
        if (sha) {
          extra.commitSha = sha;
          ctx.emit('multirepo:repo:committed', team, { executionId: ctx.run.id, repo: repo.name, sha });
        }
      }
      // Nothing committed by the fleet: no changes, no pull request (as in the seed).
      if (plan.createPR && repo.branch !== null && (!plan.autoCommit || sha)) {
        await pushBranch(path, repo.branch);
        const prUrl = await createPullRequest(path, {
          branch: repo.branch,
          title: repo.prTitle,
          body: repo.prBody,
          ...(repo.defaultBranch ? { base: repo.defaultBranch } : {}),
        });
        extra.prUrl = prUrl;
        ctx.emit('multirepo:repo:pr-created', team, { executionId: ctx.run.id, repo: repo.name, prUrl });
      }
    } catch (error) {
      return {
        status: 'failed',
        error: (error as Error).message,
        output: outcome.output,
        evidence: outcome.evidence,
        extra,
      };
    }
    return { ...outcome, extra };
  };
}

async function driveRepo(ctx: RunContext, plan: MultiRepoPlan, unit: UnitRow): Promise<UnitOutcome> {
  const repo = plan.repos.find((r) => r.name === unit.name)!;
  const team = ctx.run.team_name;
  const path = worktreeOf(ctx.dataDir, team, ctx.run.id, repo.name);
  const fail = async (error: string): Promise<UnitOutcome> => {
    const now = ctx.now();
    await ctx.store.updateUnit(unit.run_id, unit.seq, {
      status: 'failed',
      started_at: unit.started_at ?? now,
      finished_at: now,
      error,
      extra: JSON.stringify({ branch: repo.branch }),
    });
    return { status: 'failed', error };
  };
  if (unit.status === 'pending') {
    ctx.emit('multirepo:repo:start', team, { executionId: ctx.run.id, repo: repo.name, task: plan.task });
    const problem = await repositoryProblem(repo.path, repo.baseDir);
    if (problem) return fail(problem);
    try {
      await addRunWorktree(repo.path, path, repo.branch);
    } catch (error) {
      return fail(`could not make a worktree: ${(error as Error).message}`);
    }
  }
  return executeUnit(
    ctx,
    unit,
    { handle: repo.handle, cwd: path, work: repo, pollMs: plan.pollMs, onSpawned: () => undefined },
    postProcess(ctx, plan, repo, path),
  );
}

/**
 * Run a multi-repo run from where its rows stand: batches of maxParallel repositories, one after
 * another; every repository runs whatever another did (they are independent). Each gets a worktree
 * (on the branch the fleet made) and a worker or command; results per repository. The run is
 * `completed` only when every repository succeeded, else `failed` naming those that did not.
 */
export async function driveMultiRepo(ctx: RunContext): Promise<void> {
  const plan = JSON.parse(ctx.run.request) as MultiRepoPlan;
  const id = ctx.run.id;
  const team = ctx.run.team_name;
  const first = await ctx.store.units(id);
  if (first.every((unit) => unit.status === 'pending'))
    ctx.emit('multirepo:task:start', team, { executionId: id, task: plan.task });
  const batches = [...new Set(first.map((unit) => unit.group_index))].sort((a, b) => a - b);
  const outcomes: UnitOutcome[] = [];
  for (const batch of batches) {
    const units = (await ctx.store.units(id)).filter(
      (unit) => unit.group_index === batch && (unit.status === 'pending' || unit.status === 'running'),
    );
    const done = await Promise.all(
      units.map(async (unit) => {
        const outcome = await driveRepo(ctx, plan, unit);
        if (outcome.status === 'succeeded')
          ctx.emit('multirepo:repo:success', team, { executionId: id, repo: unit.name, task: plan.task });
        if (outcome.status === 'failed')
          ctx.emit('multirepo:repo:failed', team, {
            executionId: id,
            repo: unit.name,
            task: plan.task,
            error: outcome.error,
          });
        return outcome;
      }),
    );
    outcomes.push(...done);
    if (ctx.signal.aborted) return;
  }
  const units = await ctx.store.units(id);
  const results = units.map((unit) => repoResult(unit, plan.task));
  ctx.emit('multirepo:task:complete', team, { executionId: id, task: plan.task, results });
  const failed = units.filter((unit) => unit.status !== 'succeeded');
  if (failed.length === 0) {
    if (await ctx.store.finish(id, 'completed', null, ctx.now()))
      ctx.emit('multirepo:execution:complete', team, { executionId: id, results });
    return;
  }
  const error =
    `${failed.length} of ${units.length} repositories failed: ` +
    failed.map((unit) => `${unit.name} (${unit.error ?? unit.status})`).join('; ');
  const interrupted = outcomes.some((o) => o.status === 'failed' && o.error.startsWith(INTERRUPTED));
  if (await ctx.store.finish(id, interrupted ? 'interrupted' : 'failed', error, ctx.now()))
    ctx.emit('multirepo:execution:failed', team, { executionId: id, error });
}

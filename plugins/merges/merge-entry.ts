import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runArgv } from '../../core/index.js';
import type { MergeEntry, MergeReport } from './entry-view.js';
import { CommandFailed, git, gitOk, revParse } from './git.js';
import { checkHunks } from './hunk-check.js';
import { moveTarget } from './move-target.js';
import type { MergesOptions } from './options.js';
import { openOrUpdatePr } from './pr-mode.js';
import type { MergeStatus } from './tables.js';

/** What became of an entry: its final status, report and message. */
export interface Outcome {
  status: Exclude<MergeStatus, 'queued' | 'running' | 'cancelled'>;
  report: MergeReport;
  message: string;
  ontoCommit?: string;
  rebasedCommit?: string;
}

export interface PipelineDeps {
  options: MergesOptions;
  /** Where throwaway worktrees go. */
  workRoot: string;
  /** Stops a test run when the fleet stops. */
  signal: AbortSignal;
  /** Record progress on the row: the phase, and the commits before the target moves (a restart reads them). */
  progress(patch: { phase: string; ontoCommit?: string; rebasedCommit?: string; attempts?: number }): Promise<void>;
}

/** The fleet stopped while an entry ran: it stays `running` and is run again from the start at the next start. */
export class Stopped extends Error {}

const since = (start: number) => Date.now() - start;

/** Remove a throwaway worktree, whatever state it is in (mid-rebase, dirty from a test run). */
export async function removeWorktree(repo: string, dir: string, timeoutSeconds: number): Promise<void> {
  await git(repo, timeoutSeconds, 'worktree', 'remove', '--force', '--force', dir).catch(() => undefined);
  if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  await git(repo, timeoutSeconds, 'worktree', 'prune').catch(() => undefined);
}

/**
 * One entry: for each try (the target may move under it), a throwaway detached worktree at the branch's
 * tip, rebased onto the target's tip (a conflict → the files, the rebase aborted), the test (retried),
 * the lost-hunk check, then the target moved by compare-and-swap (or, in PR mode, a push and a PR).
 * The worktree is removed in every case; the main checkout is never used as a workspace.
 */
export async function runEntry(entry: MergeEntry, deps: PipelineDeps): Promise<Outcome> {
  const { options } = deps;
  const timeout = options.gitTimeoutSeconds;
  const report: MergeReport = { timings: { rebaseMs: 0, testMs: 0, checkMs: 0, mergeMs: 0 }, rebases: 0 };
  const { repo, branch, target } = entry;
  const tip = await revParse(repo, timeout, `refs/heads/${branch}`);
  if (tip === undefined) return { status: 'failed', report, message: `branch ${branch} no longer exists` };
  for (;;) {
    const onto = await revParse(repo, timeout, `refs/heads/${target}`);
    if (onto === undefined) return { status: 'failed', report, message: `target ${target} does not exist` };
    let base: string;
    try {
      base = (await git(repo, timeout, 'merge-base', tip, onto)).trim();
    } catch {
      return { status: 'failed', report, message: `${branch} and ${target} have no common history` };
    }
    if (base === tip) {
      report.alreadyMerged = true;
      const message = `${branch} has nothing ${target} lacks: already merged`;
      return { status: 'merged', report, message, ontoCommit: onto, rebasedCommit: onto };
    }
    mkdirSync(deps.workRoot, { recursive: true });
    const dir = join(deps.workRoot, `${entry.id}-${report.rebases}`);
    if (existsSync(dir)) await removeWorktree(repo, dir, timeout);
    let started = Date.now();
    await git(repo, timeout, 'worktree', 'add', '--detach', '--quiet', dir, tip);
    try {
      await deps.progress({ phase: 'rebase', ontoCommit: onto });
      try {
        await git(dir, timeout, 'rebase', '--quiet', onto);
      } catch (error) {
        const unmerged = await git(dir, timeout, 'diff', '--name-only', '--diff-filter=U').catch(() => '');
        const files = unmerged.split('\n').filter(Boolean);
        await git(dir, timeout, 'rebase', '--abort').catch(() => undefined);
        report.timings.rebaseMs += since(started);
        if (files.length === 0)
          return { status: 'failed', report, message: `rebase failed: ${(error as Error).message}`, ontoCommit: onto };
        report.conflictFiles = files;
        return {
          status: 'conflict',
          report,
          message: `${branch} conflicts with ${target} in ${files.join(', ')}`,
          ontoCommit: onto,
        };
      }
      const rebased = (await git(dir, timeout, 'rev-parse', 'HEAD')).trim();
      report.timings.rebaseMs += since(started);

      const argv = entry.test ?? options.test;
      if (argv) {
        await deps.progress({ phase: 'test', rebasedCommit: rebased });
        started = Date.now();
        report.testRuns = [];
        let passed = false;
        for (let run = 0; run <= options.testRetries && !passed; run++) {
          const result = await runArgv(
            { command: argv, cwd: dir, timeoutSeconds: options.testTimeoutSeconds },
            { defaultCwd: dir, signal: deps.signal, tailLines: 40, graceMs: 2000 },
          );
          if (deps.signal.aborted) throw new Stopped('the fleet stopped');
          const { exitCode, timedOut, durationMs } = result;
          report.testRuns.push({ passed: result.passed, exitCode, timedOut, durationMs });
          report.testOutput = result.error ? [result.error, ...result.tail] : result.tail;
          passed = result.passed;
          await deps.progress({ phase: 'test', attempts: run + 1 });
        }
        report.timings.testMs += since(started);
        if (!passed) {
          const runs = report.testRuns.length;
          return { status: 'failed', report, message: `the test failed ${runs} time(s)`, ontoCommit: onto };
        }
      }

      await deps.progress({ phase: 'check', rebasedCommit: rebased });
      started = Date.now();
      report.hunks = await checkHunks(repo, { base, branch: tip, onto, result: rebased }, timeout);
      report.timings.checkMs += since(started);
      if (report.hunks.lost.length > 0) {
        const where = report.hunks.lost.map((hunk) => `${hunk.path}:${hunk.line}`).join(', ');
        return { status: 'refused', report, message: `hunks of ${branch} missing after the rebase: ${where}` };
      }

      started = Date.now();
      if (options.mode === 'pr') {
        await deps.progress({ phase: 'push' });
        const pr = await openOrUpdatePr(
          { repo, remote: options.remote, branch, target, rebased, timeoutSeconds: timeout },
          report,
        ).catch((error: unknown) => error as Error);
        report.timings.mergeMs += since(started);
        if (pr instanceof Error) {
          const missing = pr instanceof CommandFailed && pr.code === 'ENOENT';
          const message = missing ? `PR mode needs ${pr.program}, which is not installed` : pr.message;
          return { status: 'failed', report, message, ontoCommit: onto, rebasedCommit: rebased };
        }
        report.pr = pr;
        const message = `pull request ${pr.action}: ${pr.url}`;
        return { status: 'pr_open', report, message, ontoCommit: onto, rebasedCommit: rebased };
      }
      await deps.progress({ phase: 'merge' });
      const moved = await moveTarget(repo, target, onto, rebased, timeout);
      report.timings.mergeMs += since(started);
      if (moved.moved) {
        const superseded = report.hunks.superseded.length;
        const note = superseded > 0 ? ` (${superseded} hunk(s) superseded by ${target}: see the report)` : '';
        return {
          status: 'merged',
          report,
          message: `${target} moved to ${rebased.slice(0, 12)} (${moved.how})${note}`,
          ontoCommit: onto,
          rebasedCommit: rebased,
        };
      }
      if (moved.why === 'checkout-refused')
        return {
          status: 'failed',
          report,
          message: `the checkout of ${target} refused the fast-forward (local changes in the way): ${moved.detail}`,
          ontoCommit: onto,
          rebasedCommit: rebased,
        };
      report.rebases++;
      if (report.rebases >= options.maxRebases)
        return { status: 'failed', report, message: `${target} kept moving: gave up after ${report.rebases} rebases` };
    } finally {
      await removeWorktree(repo, dir, timeout);
    }
  }
}

/** After a restart: did the target already move to this entry's rebased commit? */
export async function landed(repo: string, target: string, rebased: string | null, timeout: number): Promise<boolean> {
  if (rebased === null) return false;
  const tip = await revParse(repo, timeout, `refs/heads/${target}`);
  if (tip === undefined) return false;
  return tip === rebased || gitOk(repo, timeout, 'merge-base', '--is-ancestor', rebased, tip);
}

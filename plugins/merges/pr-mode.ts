import type { MergeReport } from './entry-view.js';
import { CommandFailed, git, runProgram } from './git.js';

export interface PullRequest {
  url: string;
  action: 'created' | 'updated';
}

/** The PR's text: what the queue checked, for the reviewer. */
function prBody(branch: string, target: string, report: MergeReport): string {
  const lines = [`Queued by the Claude Fleet merge queue: ${branch} rebased onto ${target}.`];
  const runs = report.testRuns ?? [];
  if (runs.length > 0) lines.push(`Test: passed after ${runs.length} run(s).`);
  if (report.hunks) {
    lines.push(`Lost-hunk check: ${report.hunks.present} hunk(s) present, none lost.`);
    for (const hunk of report.hunks.superseded)
      lines.push(`- superseded by ${target}: ${hunk.path}:${hunk.line} (${hunk.sample})`);
  }
  return lines.join('\n');
}

/**
 * PR mode: push the rebased commit to `<remote>/<branch>` (with a lease on what the remote had, so a push
 * by someone else since is never overwritten), then `gh pr view <branch>`: an open PR is updated
 * (`gh pr edit --body`), otherwise one is created (`gh pr create --head --base --title --body`).
 */
export async function openOrUpdatePr(
  options: { repo: string; remote: string; branch: string; target: string; rebased: string; timeoutSeconds: number },
  report: MergeReport,
): Promise<PullRequest> {
  const { repo, remote, branch, target, rebased, timeoutSeconds } = options;
  const ref = `refs/heads/${branch}`;
  const listed = await git(repo, timeoutSeconds, 'ls-remote', remote, ref);
  const current =
    listed
      .split('\n')
      .find((line) => line.endsWith(`\t${ref}`))
      ?.split('\t')[0] ?? '';
  await git(
    repo,
    timeoutSeconds,
    'push',
    '--porcelain',
    `--force-with-lease=${ref}:${current}`,
    remote,
    `${rebased}:${ref}`,
  );
  const body = prBody(branch, target, report);
  const gh = (...args: string[]) => runProgram('gh', args, { cwd: repo, timeoutSeconds });
  let open: { url?: string; state?: string } | undefined;
  try {
    open = JSON.parse(await gh('pr', 'view', branch, '--json', 'url,state')) as { url?: string; state?: string };
  } catch (error) {
    if (error instanceof CommandFailed && error.code === 'ENOENT') throw error;
    open = undefined; // no PR for the branch (gh exits non-zero)
  }
  if (open?.state === 'OPEN' && open.url) {
    await gh('pr', 'edit', branch, '--body', body);
    return { url: open.url, action: 'updated' };
  }
  const title = `Merge ${branch} into ${target}`;
  const created = await gh('pr', 'create', '--head', branch, '--base', target, '--title', title, '--body', body);
  return { url: created.trim().split('\n').pop() ?? '', action: 'created' };
}

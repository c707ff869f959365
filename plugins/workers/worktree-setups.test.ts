/**
 * Worktree setups (what the leases plugin uses for its pre-commit hook): each runs after the worktree
 * is added and before the agent starts, with the worker, its worktree, its directory, the launch's
 * own token and the fleet's URL; again before a restart, with the new token; one that throws is
 * logged and the worker starts anyway; a removed one is gone; a worker without a worktree gets none.
 * Real fleet, real git, the fake agent as `claude` in a real tmux pane.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { startWorkerFleet, tempDir, gitProject } from '../../test/kit/index.js';
import type { WorkersApi, WorktreeSetupTarget } from './index.js';

process.env.FAKE_AGENT_STATE_DIR = tempDir(t, 'fleet-fake-state-');

t.test('worktree setups: before the agent starts, with its token; failures logged; removable', async (t) => {
  const project = gitProject(t);

  const w = await startWorkerFleet(t);
  const api = w.fleet.kernel.api<WorkersApi>('workers')!;
  const seen: (WorktreeSetupTarget & { agentStarted: boolean; inTree: boolean })[] = [];
  const remove = api.addWorktreeSetup(async (wt) => {
    seen.push({
      ...wt,
      agentStarted: existsSync(join(wt.workerDir, 'host.json')),
      inTree: existsSync(join(wt.path, 'README.md')),
    });
    writeFileSync(join(wt.path, '.git-setup-ran'), wt.handle);
  });
  api.addWorktreeSetup(async () => {
    throw new Error('no hook for you');
  });

  const spawned = await w.spawn('feat', { workingDir: project, worktree: true, initialPrompt: 'hello' });
  t.equal(spawned.status, 201, JSON.stringify(spawned.body));
  const path = join(w.fleet.dataDir, 'worktrees', w.team, 'feat');
  await w.waitWorker('feat', (x) => x.state === 'idle', 'idle: the failing setup did not keep it from starting');
  t.equal(seen.length, 1, 'run once for the spawn');
  const first = seen[0]!;
  t.match(first, {
    teamName: w.team,
    handle: 'feat',
    path,
    branch: 'fleet/feat',
    workerDir: w.workerDir('feat'),
    url: w.fleet.url,
    agentStarted: false,
    inTree: true,
  });
  t.ok(existsSync(join(path, '.git-setup-ran')), 'what the setup wrote is in the worktree');
  const asWorker = await w.fleet.request('GET', '/orchestrate/workers', { token: first.token });
  t.equal(asWorker.status, 200, 'the token is the worker’s own, valid');
  t.ok(
    w.fleet.logs.some((line) => line.includes('worktree setup failed for alpha/feat') && line.includes('no hook')),
    'the failing setup is logged',
  );

  // A restart is a launch in the same worktree: the setups run again, with the new run's token.
  const crashed = await w.fleet.request('POST', '/orchestrate/send/feat', {
    token: w.lead,
    body: { message: 'CRASH' },
  });
  t.equal(crashed.status, 200, JSON.stringify(crashed.body));
  await w.waitWorker('feat', (x) => x.restartCount === 1 && x.state === 'idle', 'restarted and idle');
  t.equal(seen.length, 2, 'run again before the restart');
  t.equal(seen[1]!.path, path);

  // No worktree, no setup; a removed setup is not run again (removing twice is harmless).
  await w.spawn('plain', { initialPrompt: 'hello' });
  await w.waitWorker('plain', (x) => x.state === 'idle', 'idle');
  t.equal(seen.length, 2, 'a worker without a worktree gets no setup');
  remove();
  remove();
  const again = await w.spawn('feat2', { workingDir: project, worktree: true, initialPrompt: 'hello' });
  t.equal(again.status, 201, JSON.stringify(again.body));
  await w.waitWorker('feat2', (x) => x.state === 'idle', 'idle');
  t.equal(seen.length, 2, 'the removed setup did not run');
});

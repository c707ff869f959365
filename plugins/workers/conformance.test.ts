import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { type FixtureContext, runConformance } from '../../test/kit/conformance.js';
import { fakeAgentWorkers, startFleet, tempDir, type TestFleet, waitFor } from '../../test/kit/index.js';

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@localhost', ...args], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();

// The fake agent keeps its per-session state outside the worktrees, so they start clean.
process.env.FAKE_AGENT_STATE_DIR = tempDir(t, 'fleet-fake-state-');

t.test('workers: every operation conforms (401, other teams, required fields, route and tool agree)', async (t) => {
  const fleet: TestFleet = await startFleet(t, {
    plugins: { auth: true, mail: true, tasks: true, workers: fakeAgentWorkers({ max: 20 }) },
    config: { server: { rateLimit: { max: 1_000_000 } } },
  });
  // A repository with a bare remote, for the worktree operations.
  const project = join(tempDir(t, 'fleet-repo-'), 'project');
  const remote = join(project, '..', 'remote.git');
  mkdirSync(project);
  git(project, '-c', 'init.defaultBranch=main', 'init', '--quiet');
  writeFileSync(join(project, 'README.md'), '# project\n');
  git(project, 'add', 'README.md');
  git(project, 'commit', '--quiet', '-m', 'initial');
  git(project, 'init', '--quiet', '--bare', remote);
  git(project, 'remote', 'add', 'origin', remote);

  /** A worker of team alpha, spawned once and ready (ready or idle) before the fixture returns. */
  const spawned = new Map<string, Promise<any>>();
  const alphaWorker = ({ alpha, call }: FixtureContext, handle: string, extra: Record<string, unknown> = {}) => {
    if (!spawned.has(handle)) {
      spawned.set(
        handle,
        (async () => {
          await call(alpha.lead, 'POST', '/orchestrate/spawn', { handle, workingDir: fleet.dataDir, ...extra });
          return waitFor(
            `${handle} ready`,
            async () => {
              const list = await call(alpha.lead, 'GET', '/orchestrate/workers');
              const worker = list.find((w: any) => w.handle === handle);
              return worker && ['ready', 'idle'].includes(worker.state) ? worker : undefined;
            },
            30_000,
          );
        })(),
      );
    }
    return spawned.get(handle)!;
  };

  /** A rescue of team alpha: a worker with unsaved work, dismissed with removeWorktree (taken once). */
  let rescued: Promise<any> | undefined;
  const alphaRescue = (context: FixtureContext) =>
    (rescued ??= (async () => {
      const worker = await alphaWorker(context, 'cw-rescued', { workingDir: project, worktree: true });
      writeFileSync(join(worker.worktree.path, 'unsaved.txt'), 'unsaved\n');
      const dismissed = await context.call(context.alpha.lead, 'POST', '/orchestrate/dismiss/cw-rescued', {
        removeWorktree: true,
      });
      return dismissed.rescued;
    })());

  await runConformance(t, {
    fleet,
    plugin: 'workers',
    fixtures: {
      spawnWorker: async () => ({
        input: { handle: 'cw-spawn', teamName: 'alpha', workingDir: fleet.dataDir, initialPrompt: 'hello' },
        // A worker is its team and its handle: team_spawn (no teamName) by the other team's lead
        // spawns a cw-spawn of its own, which takes nothing of the owner's.
        toolsOtherTeam: 'own',
      }),
      listWorkers: async (context) => {
        await alphaWorker(context, 'cw-listed');
        return {
          input: {},
          otherTeam: 'own',
          secrets: ['cw-listed'],
          skipAgreement: 'worker states and times move between the two calls',
        };
      },
      workerBoard: async (context) => {
        await alphaWorker(context, 'cw-board');
        return { input: {}, otherTeam: 'own', secrets: ['cw-board'] };
      },
      sendToWorker: async (context) => {
        await alphaWorker(context, 'cw-send');
        return { input: { handle: 'cw-send', message: 'hello worker' } };
      },
      workerOutput: async (context) => {
        await alphaWorker(context, 'cw-send');
        return { input: { handle: 'cw-send', limit: 5 } };
      },
      workerTranscript: async (context) => {
        await alphaWorker(context, 'cw-send');
        return { input: { handle: 'cw-send' } };
      },
      registerExternal: async () => ({ input: { handle: 'cw-ext', teamName: 'alpha', format: 'text' } }),
      pushOutput: async ({ alpha, call }) => {
        await call(alpha.lead, 'POST', '/orchestrate/workers/register', { handle: 'cw-ext-push', format: 'text' });
        return { input: { handle: 'cw-ext-push', output: 'a line from elsewhere' } };
      },
      pauseWorker: async (context) => {
        await alphaWorker(context, 'cw-pause');
        return { input: { handle: 'cw-pause' }, skipAgreement: 'the first call pauses it; the second finds it paused' };
      },
      resumeWorker: async (context) => {
        await alphaWorker(context, 'cw-resume');
        await context.call(context.alpha.lead, 'POST', '/orchestrate/workers/cw-resume/pause', {});
        return {
          input: { handle: 'cw-resume' },
          skipAgreement: 'the first call resumes it; the second finds it running',
        };
      },
      quotaStatus: async () => ({ input: {}, otherTeam: 'own' }),
      resumeAfterQuota: async () => ({ input: {}, otherTeam: 'own' }),
      dismissWorker: async (context) => {
        await alphaWorker(context, 'cw-dismiss');
        return { input: { handle: 'cw-dismiss' } };
      },
      commitInWorktree: async (context) => {
        const worker = await alphaWorker(context, 'cw-tree', { workingDir: project, worktree: true });
        writeFileSync(join(worker.worktree.path, 'change.txt'), 'a change\n');
        return { input: { handle: 'cw-tree', message: 'conformance commit' } };
      },
      pushBranch: async (context) => {
        await alphaWorker(context, 'cw-tree', { workingDir: project, worktree: true });
        return { input: { handle: 'cw-tree' } };
      },
      openPr: async (context) => {
        await alphaWorker(context, 'cw-tree', { workingDir: project, worktree: true });
        return {
          input: { handle: 'cw-tree', title: 'A pull request', body: 'Its body' },
          skipValidCall: 'opening a pull request needs gh and a forge; worktree.test.ts checks the 409 without gh',
        };
      },
      worktreeState: async (context) => {
        await alphaWorker(context, 'cw-tree', { workingDir: project, worktree: true });
        return { input: { handle: 'cw-tree' }, secrets: ['fleet/cw-tree'] };
      },
      removeWorktree: async (context) => {
        const worker = await alphaWorker(context, 'cw-rm', { workingDir: project, worktree: true });
        await context.call(context.alpha.lead, 'POST', '/orchestrate/dismiss/cw-rm', {});
        writeFileSync(join(worker.worktree.path, 'unsaved.txt'), 'unsaved\n');
        return {
          input: { handle: 'cw-rm' },
          skipAgreement: 'the first call removes the worktree; the second finds none',
        };
      },
      cleanupWorktrees: async (context) => {
        await alphaWorker(context, 'cw-clean', { workingDir: project, worktree: true });
        await context.call(context.alpha.lead, 'POST', '/orchestrate/dismiss/cw-clean', {});
        return { input: {}, otherTeam: 'own', secrets: ['cw-clean'] };
      },
      listRescues: async (context) => {
        const rescue = await alphaRescue(context);
        return { input: {}, otherTeam: 'own', secrets: [rescue.ref, rescue.commit] };
      },
      restoreRescue: async (context) => {
        const rescue = await alphaRescue(context);
        return {
          input: { id: rescue.id },
          secrets: [rescue.ref],
          skipAgreement: 'the first call restores it; the second finds its directory there',
        };
      },
      queueSpawn: async () => ({
        input: { handle: 'cw-queued', teamName: 'alpha', workingDir: fleet.dataDir },
        toolsOtherTeam: 'own',
      }),
      queueStatus: async () => ({ input: {}, otherTeam: 'own' }),
      queueItem: async ({ alpha, call }) => {
        const item = await call(alpha.lead, 'POST', '/spawn-queue', {
          handle: 'cw-queue-item',
          workingDir: fleet.dataDir,
        });
        return { input: { id: item.id }, secrets: ['cw-queue-item'], skipAgreement: 'no tool serves this route' };
      },
      spawnStatus: async ({ alpha, call }) => {
        const item = await call(alpha.lead, 'POST', '/spawn-queue', {
          handle: 'cw-queue-status',
          workingDir: fleet.dataDir,
        });
        return { input: { id: item.id }, secrets: ['cw-queue-status'] };
      },
      cancelQueued: async ({ alpha, call }) => {
        const item = await call(alpha.lead, 'POST', '/spawn-queue', {
          handle: 'cw-queue-cancel',
          workingDir: fleet.dataDir,
        });
        return {
          input: { id: item.id },
          secrets: ['cw-queue-cancel'],
          skipValidCall:
            'with free slots a queued spawn starts at once, so there is nothing left to cancel; ' +
            'spawn-queue.test.ts cancels in a full fleet',
        };
      },
    },
  });
});

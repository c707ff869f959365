/**
 * `fleet rescue list` and `fleet rescue restore <id>`: the real `fleet` command as a child process
 * against a real fleet, holding only its admin key (it acts as the team's lead `operator`, as fleet
 * spawn and dismiss do). A dirty worker dismissed with removeWorktree leaves a rescue; the command
 * lists it (table and --json), restores it into a new worktree, refuses bad input with exit 2, and
 * another team's operator sees none of it.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { operatorCli, startWorkerFleet, tempDir, git, gitProject } from '../../test/kit/index.js';

process.env.FAKE_AGENT_STATE_DIR = tempDir(t, 'fleet-fake-state-');

t.test('fleet rescue list and restore', async (t) => {
  const project = gitProject(t);

  const w = await startWorkerFleet(t);
  const { fleet } = w;
  const spawned = await w.spawn('feat', { workingDir: project, worktree: true });
  t.equal(spawned.status, 201, JSON.stringify(spawned.body));
  writeFileSync(join(spawned.body.worktree.path, 'README.md'), '# project\nwork in progress\n');
  writeFileSync(join(spawned.body.worktree.path, 'todo.txt'), 'not yet tracked\n');
  const dismissed = await fleet.request('POST', '/orchestrate/dismiss/feat', {
    token: w.lead,
    body: { removeWorktree: true },
  });
  t.equal(dismissed.status, 200, JSON.stringify(dismissed.body));
  const { id, ref } = dismissed.body.rescued as { id: number; ref: string };

  const alpha = operatorCli(t, fleet, { team: 'alpha' });
  const listed = await alpha.run('rescue', 'list');
  t.equal(listed.code, 0, listed.stderr);
  const [header, row, ...more] = listed.stdout.trimEnd().split('\n');
  t.match(header, /^ID\s+HANDLE\s+CREATED\s+CHANGED\s+UNTRACKED\s+UNPUSHED\s+RESTORED\s+REF$/);
  t.match(row, new RegExp(`^${id}\\s+feat\\s+\\S+\\s+1\\s+1\\s+0\\s+-\\s+${ref}$`));
  t.same(more, []);
  const json = await alpha.run('rescue', 'list', '--json', '--handle', 'feat');
  t.equal(json.code, 0, json.stderr);
  t.match(JSON.parse(json.stdout), [{ id, ref, handle: 'feat', changed: 1, untracked: 1 }]);

  const target = join(tempDir(t, 'fleet-restore-'), 'again');
  const restored = await alpha.run('rescue', 'restore', String(id), '--handle', 'again', '--path', target);
  t.equal(restored.code, 0, restored.stderr);
  t.match(restored.stdout, `restored rescue ${id} of feat to ${target} on branch fleet/again`);
  t.equal(readFileSync(join(target, 'README.md'), 'utf8'), '# project\nwork in progress\n');
  t.equal(readFileSync(join(target, 'todo.txt'), 'utf8'), 'not yet tracked\n');
  t.equal(git(target, 'rev-parse', '--abbrev-ref', 'HEAD'), 'fleet/again');

  // Refusals: exit 2 for bad input, 1 for what the fleet does not have; another team's operator sees no rescue
  // and alpha's is not found for it. (Run side by side: each is a `fleet` child process.)
  const beta = operatorCli(t, fleet, { team: 'beta' });
  const [unknown, notAnId, help, betaList, betaRestore] = await Promise.all([
    alpha.run('rescue', 'restore', '4242'),
    alpha.run('rescue', 'restore', 'abc'),
    alpha.run('rescue', '--help'),
    beta.run('rescue', 'list'),
    beta.run('rescue', 'restore', String(id)),
  ]);
  t.equal(unknown.code, 1);
  t.equal(unknown.stderr, 'fleet rescue: Rescue 4242 not found\n');
  t.equal(notAnId.code, 2);
  t.match(notAnId.stderr, /restore needs a rescue id/);
  t.equal(help.code, 0);
  t.match(help.stdout, /^Usage: fleet rescue list/);
  t.equal(betaList.code, 0, betaList.stderr);
  t.equal(betaList.stdout, 'no rescues in team beta\n');
  t.equal(betaRestore.code, 1);
  t.equal(betaRestore.stderr, `fleet rescue: Rescue ${id} not found\n`);
  t.notOk(existsSync(join(fleet.dataDir, 'worktrees', 'beta')), 'nothing restored for beta');
});

/**
 * Task paths with real tasks: a lead declares the paths a task touches; the leases wait (blocking
 * nothing) until the task has an owner, are granted at the claim or assignment (a conflict refuses
 * it), and wait again when the task is resolved or its owner released. Two tasks with overlapping
 * paths are never owned at once.
 */
import t from 'tap';
import { type Agent, as, callTool, registerTeam, startFleet, waitFor, tempDir } from '../../../test/kit/index.js';
import type { TasksApi } from '../../tasks/index.js';
import type { LeasesApi } from '../index.js';
import { makeRepo } from './test-repos.js';

t.test('two tasks with overlapping declared paths are never owned at once', async (t) => {
  const fleet = await startFleet(t, { plugins: { auth: true, mail: true, tasks: true, leases: true } });
  const leases = fleet.kernel.api<LeasesApi>('leases')!;
  const { repo, worktree } = makeRepo(tempDir(t, 'leases-repo-'));
  const { lead, workers } = await registerTeam(fleet, 'alpha', ['ann', 'bob', 'cid']);
  const [ann, bob, cid] = workers as [Agent, Agent, Agent];
  const task = async (subject: string) => (await as(fleet, lead, 'POST', '/tasks', { subject })).body.id as string;
  const t1 = await task('auth rewrite');
  const t2 = await task('login fix');
  const t3 = await task('docs');

  const d1 = await as(fleet, lead, 'POST', '/leases', { repo, paths: ['src/**'], taskId: t1 });
  t.equal(d1.status, 201, JSON.stringify(d1.body));
  t.equal(d1.body.holder, null, 'waits for an owner');
  t.equal(d1.body.expiresAt, null);
  t.equal((await as(fleet, lead, 'POST', '/leases', { repo: worktree, paths: ['src/a.ts'], taskId: t2 })).status, 201);
  t.equal((await as(fleet, lead, 'POST', '/leases', { repo, paths: ['docs'], taskId: t3 })).status, 201);
  t.same(await leases.leases.blockers('alpha', 'cid', repo, ['src/a.ts']), [], 'a waiting lease blocks nothing');

  const claimed = await callTool(fleet, ann, 'team_claim', { task_id: t1 });
  t.notOk(claimed.isError, JSON.stringify(claimed));
  const granted = await as(fleet, ann, 'GET', `/leases/${d1.body.id}`);
  t.equal(granted.body.holder, 'ann', 'granted to the owner at the claim');
  t.ok(granted.body.fence > 0);
  t.equal((await leases.leases.blockers('alpha', 'cid', repo, ['src/a.ts']))[0]?.holder, 'ann');

  // bob's claim of the overlapping task is refused and leaves it unowned; an assignment too.
  const refused = await callTool(fleet, bob, 'team_claim', { task_id: t2 });
  t.ok(refused.isError);
  t.match(refused.content[0]!.text, /^LEASES_CONFLICT/);
  t.equal((await as(fleet, lead, 'GET', `/tasks/${t2}`)).body.ownerHandle, null);
  const tasksApi = fleet.kernel.api<TasksApi>('tasks')!;
  const auth = fleet.kernel.api<import('../../auth/index.js').AuthApi>('auth')!;
  const bobAgent = (await auth.agents.get(bob.uid))!;
  const leadAgent = (await auth.agents.get(lead.uid))!;
  await t.rejects(tasksApi.tasks.assign('alpha', { id: t2, owner: bobAgent, by: leadAgent }), {
    code: 'LEASES_CONFLICT',
  });
  // A task that does not overlap is claimed.
  t.notOk((await callTool(fleet, cid, 'team_claim', { task_id: t3 })).isError);

  // ann resolves t1: its leases wait again; now bob may claim t2.
  t.equal((await as(fleet, ann, 'PATCH', `/tasks/${t1}`, { status: 'resolved' })).status, 200);
  await waitFor(
    't1 leases waiting',
    async () => (await as(fleet, lead, 'GET', `/leases/${d1.body.id}`)).body.holder === null,
  );
  const bobClaim = await callTool(fleet, bob, 'team_claim', { task_id: t2 });
  t.notOk(bobClaim.isError, JSON.stringify(bobClaim));
  const mine = await as(fleet, bob, 'GET', '/leases?holder=bob');
  t.same(
    mine.body.leases.map((l: { taskId: string }) => l.taskId),
    [t2],
  );

  // The owner released (as an auction undoing its assignment does): the lease waits again.
  t.ok(await tasksApi.tasks.release('alpha', t2, 'bob'));
  await waitFor('bob holds none', async () => (await as(fleet, bob, 'GET', '/leases?holder=bob')).body.count === 0);

  // Declaring on a task that has an owner grants at once; a conflict refuses the declaration.
  const t4 = (await as(fleet, lead, 'POST', '/tasks', { subject: 'owned', toHandle: 'ann' })).body.id as string;
  const onOwned = await as(fleet, lead, 'POST', '/leases', { repo, paths: ['docs/x.md'], taskId: t4 });
  t.equal(onOwned.status, 409, 'cid holds docs through t3');
  const free = await as(fleet, lead, 'POST', '/leases', { repo, paths: ['lib'], taskId: t4 });
  t.equal(free.status, 201);
  t.equal(free.body.holder, 'ann');
  const listed = await as(fleet, lead, 'GET', '/leases');
  t.notOk(
    listed.body.leases.some((l: { paths: string[] }) => l.paths.includes('docs/x.md')),
    'the refused declaration is not kept',
  );
  const unknown = await as(fleet, lead, 'POST', '/leases', {
    repo,
    paths: ['x'],
    taskId: '00000000-0000-4000-8000-000000000000',
  });
  t.equal(unknown.status, 404);
  t.equal(unknown.body.field, 'taskId');
});

t.test('task leases without the tasks plugin: 409 naming taskId', async (t) => {
  const fleet = await startFleet(t, { plugins: { auth: true, leases: true } });
  const { repo } = makeRepo(tempDir(t, 'leases-repo-'));
  const { lead } = await registerTeam(fleet, 'alpha', []);
  const r = await as(fleet, lead, 'POST', '/leases', {
    repo,
    paths: ['x'],
    taskId: '00000000-0000-4000-8000-000000000000',
  });
  t.equal(r.status, 409);
  t.equal(r.body.code, 'LEASES_TASKS_OFF');
});

/**
 * A resolution pays only when someone else verified it: a worker closing its own task (team_complete)
 * earns nothing and writes no ledger row; a lead's resolution pays the owner once (resolving again,
 * or two racing resolutions, pay nothing more); another agent (a reviewer) resolving it pays the owner.
 * Real workers (the fake agent) in a swarm; the tasks plugin's task_resolved names the resolver.
 */
import t from 'tap';
import { startWorkerFleet, waitFor } from '../../../test/kit/index.js';

t.test('self-resolution earns nothing; a lead or a reviewer resolving pays the owner once', async (t) => {
  const w = await startWorkerFleet(t, { plugins: { swarm: true } });
  const { fleet, lead } = w;
  const req = (method: string, path: string, token: string, body?: unknown) =>
    fleet.request(method, path, { token, body });
  const sid = (await req('POST', '/swarms', lead, { name: 'crew' })).body.id as string;
  for (const handle of ['w1', 'w2']) t.equal((await w.spawn(handle, { swarmId: sid })).status, 201);
  const w1 = (await fleet.register('w1', 'alpha', 'worker')).token;
  const w2 = (await fleet.register('w2', 'alpha', 'worker')).token;
  const account = async (handle: string) => {
    const response = await req('GET', `/credits/${sid}/${handle}`, lead);
    return response.status === 200 ? response.body : undefined;
  };
  const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

  // The owner closes its own task: a self-report, nothing opened or paid.
  const own = (await req('POST', '/tasks', lead, { toHandle: 'w1', subject: 'self-closed' })).body.id as string;
  const completed = await req('POST', '/mcp/call', w1, { name: 'team_complete', arguments: { task_id: own } });
  t.notOk(completed.body.isError, JSON.stringify(completed.body));
  t.equal((await req('GET', `/tasks/${own}`, lead)).body.status, 'resolved');
  await settle();
  t.equal(await account('w1'), undefined, 'no account, no row: the owner’s own word earns nothing');

  // Resolving a resolved task is no new resolution: the lead's second word pays nothing either.
  t.equal((await req('PATCH', `/tasks/${own}`, lead, { status: 'resolved' })).status, 200);
  await settle();
  t.equal(await account('w1'), undefined, 'already resolved: no task_resolved, nothing paid');
  // Reopened, nothing was paid, so nothing is taken back; the lead's resolution then pays once.
  t.equal((await req('PATCH', `/tasks/${own}`, lead, { status: 'open' })).status, 200);
  await settle();
  t.equal(await account('w1'), undefined, 'a reopening of an unpaid task takes nothing');
  const racing = await Promise.all([0, 1, 2].map(() => req('PATCH', `/tasks/${own}`, lead, { status: 'resolved' })));
  t.same(
    racing.map((r) => r.status),
    [200, 200, 200],
  );
  const paid = await waitFor('w1 paid by the lead’s resolution', () => account('w1'));
  await settle();
  const after = (await account('w1'))!;
  t.equal(after.balance, 110, 'the starting 100 and 10 for the task, once');
  t.equal(after.taskCount, 1);
  t.equal(after.successCount, 1);
  t.ok(paid.reputationScore > 0.5, 'reputation went up');
  const rows = (await req('GET', `/credits/${sid}/w1/history`, lead)).body.transactions;
  t.equal(rows.filter((r: { eventKey: string }) => /^task_resolved:/.test(r.eventKey)).length, 1, 'one row');

  // A reviewer: another worker resolving w1's task pays w1, not itself.
  // (Only a task's owner, its creator or a lead may change it: here w2 asked for the work and reviews it.)
  const reviewed = (await req('POST', '/tasks', w2, { toHandle: 'w1', subject: 'reviewed' })).body.id as string;
  const review = await req('POST', '/mcp/call', w2, {
    name: 'update_task',
    arguments: { task_id: reviewed, status: 'resolved' },
  });
  t.equal((await req('GET', `/tasks/${reviewed}`, lead)).body.status, 'resolved', JSON.stringify(review.body));
  await waitFor('w1 paid for the reviewed task', async () =>
    (await account('w1'))?.balance === 120 ? true : undefined,
  );
  await settle();
  t.equal(await account('w2'), undefined, 'the reviewer earns nothing for resolving another’s task');
  t.equal((await account('w1'))!.balance, 120);

  // A worker resolving a task it does not own but that has no owner: nobody to pay.
  const unowned = (await req('POST', '/tasks', lead, { subject: 'nobody’s' })).body.id as string;
  await req('PATCH', `/tasks/${unowned}`, lead, { status: 'resolved' });
  await settle();
  t.equal(await account('w2'), undefined);
  for (const handle of ['w1', 'w2']) await req('POST', `/orchestrate/dismiss/${handle}`, lead);
});

/**
 * tasks.assign and tasks.release, the conditional assignment another plugin uses (governance's
 * auctions): one winner among concurrent assignments and claims, the status kept, the [TASK] DM, the
 * caller's `within` writes in the same transaction (its throw undoes the assignment), refusals for
 * owned and resolved tasks, and release only while the owner is still the one named.
 */
import t from 'tap';
import type { AuthApi } from '../auth/index.js';
import type { TasksApi } from './index.js';
import { as, callTool, registerTeam, startCoordination } from '../../test/kit/index.js';

t.test('assign: conditional, one winner, joined transaction; release', async (t) => {
  const fleet = await startCoordination(t);
  const alpha = await registerTeam(fleet, 'alpha', ['w0', 'w1', 'w2', 'w3']);
  const api = fleet.kernel.api<TasksApi>('tasks')!;
  const auth = fleet.kernel.api<AuthApi>('auth')!;
  const agent = async (handle: string) => (await auth.agents.findByHandle('alpha', handle))!;
  const lead = await agent('lead-alpha');
  const create = async (subject: string) =>
    (await as(fleet, alpha.lead, 'POST', '/tasks', { subject, description: 'details' })).body.id as string;

  for (let round = 0; round < 3; round++) {
    const id = await create(`contested ${round}`);
    const results = await Promise.allSettled([
      ...['w0', 'w1', 'w2'].map(async (h) => api.tasks.assign('alpha', { id, owner: await agent(h), by: lead })),
      callTool(fleet, alpha.workers[3]!, 'team_claim', { task_id: id }).then((r) => {
        if (r.isError) throw new Error(r.content[0]!.text);
        return r;
      }),
    ]);
    t.equal(results.filter((r) => r.status === 'fulfilled').length, 1, `round ${round}: one winner`);
    for (const r of results)
      if (r.status === 'rejected') t.match((r.reason as Error).message, /already claimed|TASKS_ALREADY_CLAIMED/);
  }

  const id = await create('assigned');
  const task = await api.tasks.assign('alpha', { id, owner: await agent('w1'), by: lead });
  t.match(task, { ownerHandle: 'w1', status: 'open' }, 'the status is kept');
  const chats = await as(fleet, alpha.workers[1]!, 'GET', `/users/${alpha.workers[1]!.uid}/chats`);
  t.match(JSON.stringify(chats.body), /\[TASK\] assigned/, 'w1 got the [TASK] DM');
  await t.rejects(api.tasks.assign('alpha', { id, owner: await agent('w2'), by: lead }), {
    code: 'TASKS_ALREADY_CLAIMED',
  });

  // `within` runs in the assignment's transaction: its throw leaves the task unowned.
  const rolled = await create('rolled back');
  let joined = false;
  await t.rejects(
    api.tasks.assign('alpha', { id: rolled, owner: await agent('w2'), by: lead }, async (trx) => {
      joined = trx.isTransaction;
      throw new Error('the caller changed its mind');
    }),
    /changed its mind/,
  );
  t.ok(joined, 'within got the transaction');
  t.equal((await api.tasks.get('alpha', rolled))!.ownerHandle, null, 'nothing assigned');

  const resolved = await create('resolved');
  await as(fleet, alpha.lead, 'PATCH', `/tasks/${resolved}`, { status: 'resolved' });
  await t.rejects(api.tasks.assign('alpha', { id: resolved, owner: await agent('w2'), by: lead }), {
    code: 'TASKS_NOT_OPEN',
  });
  await t.rejects(api.tasks.assign('beta', { id, owner: await agent('w2'), by: lead }), {
    code: 'TASKS_TASK_NOT_FOUND',
  });

  t.equal(await api.tasks.release('alpha', id, 'w2'), false, 'not w2’s: nothing released');
  t.equal(await api.tasks.release('alpha', id, 'w1'), true);
  t.equal((await api.tasks.get('alpha', id))!.ownerHandle, null);
  t.equal(await api.tasks.release('alpha', resolved, 'w1'), false);
});

t.test('POST /tasks/:taskId/assign: a lead gives an unowned task to an agent of the team', async (t) => {
  const fleet = await startCoordination(t);
  const alpha = await registerTeam(fleet, 'alpha', ['w1', 'w2']);
  const created = await as(fleet, alpha.lead, 'POST', '/tasks', { subject: 'Unowned work', description: 'details' });
  const id = created.body.id as string;

  const byWorker = await as(fleet, alpha.workers[0]!, 'POST', `/tasks/${id}/assign`, { toHandle: 'w1' });
  t.equal(byWorker.status, 403, 'a worker may not assign');
  const unknown = await as(fleet, alpha.lead, 'POST', `/tasks/${id}/assign`, { toHandle: 'nobody' });
  t.match(unknown, { status: 404, body: { code: 'TASKS_AGENT_NOT_FOUND' } });
  const missing = await as(fleet, alpha.lead, 'POST', `/tasks/${id}/assign`, {});
  t.match(missing, { status: 400, body: { error: /toHandle/ } }, 'the field is named');

  const assigned = await as(fleet, alpha.lead, 'POST', `/tasks/${id}/assign`, { toHandle: 'w1' });
  t.match(assigned, { status: 200, body: { id, ownerHandle: 'w1', status: 'open' } });
  const chats = await as(fleet, alpha.workers[0]!, 'GET', `/users/${alpha.workers[0]!.uid}/chats`);
  t.match(JSON.stringify(chats.body), /\[TASK\] Unowned work/, 'w1 got the [TASK] DM');

  const again = await as(fleet, alpha.lead, 'POST', `/tasks/${id}/assign`, { toHandle: 'w2' });
  t.match(again, { status: 409, body: { code: 'TASKS_ALREADY_CLAIMED' } }, 'an owned task is not taken from its owner');
  const tool = await callTool(fleet, alpha.lead, 'task_assign', { task_id: id, to: 'w2' });
  t.ok(tool.isError, 'the tool says the same');
});

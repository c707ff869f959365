/**
 * Task priorities: set at creation or by PATCH (its editors), `normal` by default, a bad one refused naming
 * `priority`, carried by task_updated, and a claim without a task id takes the most urgent ready task first.
 */
import t from 'tap';
import { as, callTool, nextMillisecond, registerTeam, startCoordination, toolJson } from '../../test/kit/index.js';

t.test('priorities: default, set, refused, and the claim order', async (t) => {
  const fleet = await startCoordination(t);
  const alpha = await registerTeam(fleet, 'alpha', ['w1', 'w2']);
  const create = async (subject: string, extra: Record<string, unknown> = {}) => {
    const made = await as(fleet, alpha.lead, 'POST', '/tasks', { subject, ...extra });
    t.equal(made.status, 200, JSON.stringify(made.body));
    await nextMillisecond();
    return made.body as { id: string; priority: string };
  };

  const plain = await create('An ordinary task');
  t.equal(plain.priority, 'normal', 'normal unless said');
  const low = await create('Someday', { priority: 'low' });
  t.equal(low.priority, 'low');
  const refused = await as(fleet, alpha.lead, 'POST', '/tasks', { subject: 'Bad', priority: 'urgent' });
  t.match(refused, { status: 400, body: { error: /^priority: / } }, 'the field is named');

  const raised = await as(fleet, alpha.lead, 'PATCH', `/tasks/${plain.id}`, { priority: 'high' });
  t.match(raised, { status: 200, body: { id: plain.id, priority: 'high', status: 'open' } });
  const listed = await as(fleet, alpha.lead, 'GET', `/tasks/${plain.id}`);
  t.equal(listed.body.priority, 'high', 'stored');
  const byWorker = await as(fleet, alpha.workers[0]!, 'PATCH', `/tasks/${plain.id}`, { priority: 'low' });
  t.equal(byWorker.status, 403, 'a worker that neither owns nor created it may not change it');
  const badPatch = await as(fleet, alpha.lead, 'PATCH', `/tasks/${plain.id}`, { priority: 7 });
  t.match(badPatch, { status: 400, body: { error: /^priority: / } });

  // The oldest ready task is `low`, then `high` (raised), then a newer `critical`: the claim order is
  // critical, high, and only then the older ones by age.
  const critical = await create('On fire', { priority: 'critical' });
  const claimed: string[] = [];
  for (const worker of [alpha.workers[0]!, alpha.workers[1]!, alpha.workers[0]!]) {
    const result = await callTool(fleet, worker, 'team_claim', {});
    t.notOk(result.isError, JSON.stringify(result.content));
    claimed.push((toolJson(result) as { id: string }).id);
  }
  t.same(claimed, [critical.id, plain.id, low.id], 'most urgent first, then by age');
});

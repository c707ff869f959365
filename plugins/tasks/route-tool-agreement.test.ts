/**
 * The drift that used to exist between a route and its tool is gone: batch_create had no cap on
 * its work items while POST /batches refused more than 500. Both are one operation now.
 */
import t from 'tap';
import { as, callTool, registerTeam, startCoordination, toolText } from '../../test/kit/index.js';

t.test('POST /batches and batch_create refuse 501 work items with the same message', async (t) => {
  const fleet = await startCoordination(t);
  const alpha = await registerTeam(fleet, 'alpha', ['ann']);
  const ann = alpha.workers[0]!;
  const item = (await as(fleet, ann, 'POST', '/workitems', { title: 'one item' })).body;
  const ids = Array.from({ length: 501 }, () => item.id);

  const route = await as(fleet, ann, 'POST', '/batches', { name: 'Too many', workItemIds: ids });
  t.equal(route.status, 400);
  t.same(route.body, {
    error: 'workItemIds: must list at most 500',
    code: 'FLEET_INVALID_INPUT',
    field: 'workItemIds',
  });
  const tool = await callTool(fleet, ann, 'batch_create', { name: 'Too many', workitem_ids: ids });
  t.equal(
    toolText(tool),
    'FLEET_INVALID_INPUT: workitem_ids: must list at most 500',
    'the tool: same message, its own argument name',
  );

  const fine = await callTool(fleet, ann, 'batch_create', { name: 'Just right', workitem_ids: ids.slice(0, 500) });
  t.notOk(fine.isError, '500 are fine');
  t.same(
    (await as(fleet, ann, 'GET', '/batches')).body.map((b: { name: string }) => b.name),
    ['Just right'],
    'only the valid batch exists',
  );
});

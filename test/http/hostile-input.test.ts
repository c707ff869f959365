/**
 * Hostile shapes of input that used to reach a 500: JSON nested thousands of levels deep, and
 * keys named after Object.prototype. Each is a 400 naming the field, stores
 * nothing, and leaves the fleet serving.
 */
import t from 'tap';
import { as, registerTeam, startCoordination } from '../kit/index.js';

const nested = (depth: number): string => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

t.test('deeply nested free-form JSON is refused with a 400 naming the field; nothing is stored', async (t) => {
  const fleet = await startCoordination(t);
  const alpha = await registerTeam(fleet, 'alpha', ['ann', 'bob']);
  const [ann, bob] = alpha.workers as [(typeof alpha.workers)[0], (typeof alpha.workers)[0]];
  const { chatId } = (await as(fleet, ann, 'POST', '/chats', { uid1: ann.uid, uid2: bob.uid })).body;
  const post = (path: string, body: string) =>
    fleet.request('POST', path, { token: ann.token, body, headers: { 'content-type': 'application/json' } });

  for (const depth of [5_000, 100_000]) {
    const message = await post(`/chats/${chatId}/messages`, `{"text":"hi","metadata":${nested(depth)}}`);
    t.equal(message.status, 400, `metadata ${depth} levels deep: 400`);
    t.same(message.body, {
      error: 'body: must not nest deeper than 64 levels',
      code: 'FLEET_INVALID_INPUT',
      field: 'body',
    });
    const handoff = await post('/handoffs', `{"to":"bob","context":${nested(depth)}}`);
    t.equal(handoff.status, 400, `context ${depth} levels deep: 400`);
    const tool = await post('/mcp/call', `{"name":"team_handoff","arguments":{"to":"bob","context":${nested(depth)}}}`);
    t.equal(tool.status, 400, `tool arguments ${depth} levels deep: 400`);
  }
  const fieldDeep = await post(`/chats/${chatId}/messages`, `{"text":"hi","metadata":${nested(40)}}`);
  t.same(fieldDeep.body, {
    error: 'metadata: must not nest deeper than 32 levels',
    code: 'FLEET_INVALID_INPUT',
    field: 'metadata',
  });
  const tool = await post('/mcp/call', `{"name":"team_handoff","arguments":{"to":"bob","context":${nested(40)}}}`);
  t.match(tool.body.content[0].text, /^FLEET_INVALID_INPUT: context: must not nest deeper than 32 levels/);
  t.equal(
    (await post(`/chats/${chatId}/messages`, `{"text":"ok","metadata":${nested(30)}}`)).status,
    200,
    '30 is fine',
  );

  t.same(
    (await as(fleet, bob, 'GET', `/chats/${chatId}/messages`)).body.map((m: { text: string }) => m.text),
    ['ok'],
    'only the acceptable message was stored',
  );
  t.same((await as(fleet, bob, 'GET', '/handoffs/bob')).body, [], 'no handoff was stored');
  t.equal((await fleet.request('GET', '/health')).status, 200, 'the fleet serves on');
});

t.test('keys named after Object.prototype lend no fields and pass no lookup', async (t) => {
  const fleet = await startCoordination(t);
  const alpha = await registerTeam(fleet, 'alpha', ['ann', 'bob']);
  await registerTeam(fleet, 'beta', ['bo']);
  const lead = alpha.lead;
  const raw = (body: string) =>
    fleet.request('POST', '/tasks', { token: lead.token, body, headers: { 'content-type': 'application/json' } });

  const smuggled = await raw('{"subject":"Plain task","__proto__":{"toHandle":"bob","teamName":"beta"}}');
  t.equal(smuggled.status, 400, '__proto__ is an unknown field, refused like any other');
  t.match(smuggled.body, { code: 'FLEET_INVALID_INPUT', field: '__proto__' });
  const constructor = await raw('{"subject":"Another","constructor":{"name":"x"},"toString":"y"}');
  t.equal(constructor.status, 400, 'unknown keys are refused, whatever their names');
  t.same(constructor.body.unknown, ['constructor', 'toString']);
  const tasks = await fleet.request('GET', '/teams/alpha/tasks', { token: lead.token });
  t.same(tasks.body, [], 'nothing was stored');
});

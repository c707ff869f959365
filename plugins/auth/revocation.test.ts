/**
 * Tokens end when their agent changes: a new type or role (a demoted lead), a lead's revoke, a
 * dismissed worker (workers.test.ts). Refused at once on HTTP and MCP with 401 `Token revoked`,
 * even for a token verified (and cached) a moment before; open WebSockets are closed with a reason.
 */
import { once } from 'node:events';
import t from 'tap';
import { callTool, registerTeam, startCoordination, toolText, WsClient } from '../../test/kit/index.js';

const REVOKED = { error: 'Token revoked', code: 'FLEET_TOKEN_REVOKED' };

t.test('a demoted lead: its old token no longer reaches lead-only routes; the new one works as a worker', async (t) => {
  const fleet = await startCoordination(t, { plugins: { auth: true } });
  const lead = await fleet.register('boss', 'alpha', 'team-lead');
  t.equal((await fleet.request('GET', '/debug', { token: lead.token })).status, 200, 'a lead before');
  for (let i = 0; i < 3; i++) await fleet.request('GET', '/teams/alpha/agents', { token: lead.token }); // cached

  const demote = (body: Record<string, unknown>) =>
    fleet.request('POST', '/auth', { token: fleet.adminKey, body: { handle: 'boss', teamName: 'alpha', ...body } });
  const unconfirmed = await demote({ agentType: 'worker' });
  t.equal(unconfirmed.status, 409, 'a new type without changeType is refused');
  t.match(unconfirmed.body, {
    code: 'AUTH_TYPE_CHANGE_UNCONFIRMED',
    agentType: 'team-lead',
    role: 'coordinator',
    error: 'Agent boss is a team-lead (role coordinator); making it a worker (role worker) needs changeType: true',
  });
  t.equal((await fleet.request('GET', '/debug', { token: lead.token })).status, 200, 'still a lead, token and all');
  const kept = await demote({});
  t.match(kept.body, { agentType: 'team-lead', role: 'coordinator' }, 'without a type the agent keeps its own');
  t.equal((await fleet.request('GET', '/debug', { token: lead.token })).status, 200, 'and its tokens keep working');

  const changed = await demote({ agentType: 'worker', changeType: true });
  t.match(changed.body, { agentType: 'worker', role: 'worker' });
  const demoted = { token: changed.body.token as string };
  const old = await fleet.request('POST', '/auth', { token: lead.token, body: { handle: 'w9', teamName: 'alpha' } });
  t.equal(old.status, 401, 'the old lead token registers no one');
  t.same(old.body, REVOKED);
  t.same((await fleet.request('GET', '/debug', { token: lead.token })).body, REVOKED);
  t.same((await fleet.request('GET', '/teams/alpha/agents', { token: lead.token })).body, REVOKED, 'even a cached one');
  t.equal(
    (await fleet.request('GET', '/teams/alpha/agents', { token: demoted.token })).status,
    200,
    'the new token works',
  );
  t.equal((await fleet.request('GET', '/debug', { token: demoted.token })).status, 403, 'as a worker');
  t.equal(
    (await fleet.request('GET', '/health', { token: fleet.adminKey })).body.counts.agents,
    1,
    'no worker was registered with the old token',
  );
});

t.test('a new role ends older tokens; registering again as the same agent does not', async (t) => {
  const fleet = await startCoordination(t, { plugins: { auth: true } });
  const first = await fleet.register('ann', 'alpha');
  const again = await fleet.register('ann', 'alpha');
  t.equal(
    (await fleet.request('GET', '/teams/alpha/agents', { token: first.token })).status,
    200,
    'same type and role',
  );
  t.equal((await fleet.request('GET', '/teams/alpha/agents', { token: again.token })).status, 200);
  const asMonitor = { handle: 'ann', teamName: 'alpha', role: 'monitor' };
  const refused = await fleet.request('POST', '/auth', { token: fleet.adminKey, body: asMonitor });
  t.match(refused, { status: 409, body: { code: 'AUTH_TYPE_CHANGE_UNCONFIRMED', role: 'worker' } }, 'not silently');
  t.equal(
    (await fleet.request('GET', '/teams/alpha/agents', { token: first.token })).status,
    200,
    'refused: no change',
  );
  const monitor = (
    await fleet.request('POST', '/auth', { token: fleet.adminKey, body: { ...asMonitor, changeType: true } })
  ).body as { token: string };
  t.equal(
    (await fleet.request('POST', '/auth', { token: fleet.adminKey, body: { handle: 'ann', teamName: 'alpha' } })).body
      .role,
    'monitor',
    'registered again without a role, it keeps the one it has',
  );
  t.same((await fleet.request('GET', '/teams/alpha/agents', { token: first.token })).body, REVOKED, 'role changed');
  t.same((await fleet.request('GET', '/teams/alpha/agents', { token: again.token })).body, REVOKED);
  t.equal((await fleet.request('GET', '/teams/alpha/agents', { token: monitor.token })).status, 200);
});

t.test("a lead revokes an agent's tokens: HTTP, MCP and its open WebSocket, at once", async (t) => {
  const fleet = await startCoordination(t, { plugins: { auth: true } });
  const alpha = await registerTeam(fleet, 'alpha', ['ann', 'bob']);
  const [ann, bob] = alpha.workers as [(typeof alpha.workers)[0], (typeof alpha.workers)[0]];
  const annSocket = await WsClient.as(t, fleet, ann);
  const bobSocket = await WsClient.as(t, fleet, bob);
  t.equal((await callTool(fleet, ann, 'team_status')).isError, undefined, 'ann works before');

  const closed = once(annSocket.ws, 'close');
  const revoked = await fleet.request('POST', '/agents/ann/revoke', { token: alpha.lead.token });
  t.equal(revoked.status, 200);
  t.match(revoked.body, { handle: 'ann', uid: ann.uid, revoked: true, tokenVersion: 2 });

  t.same((await fleet.request('GET', '/teams/alpha/agents', { token: ann.token })).body, REVOKED, 'HTTP');
  const mcp = await fleet.request('POST', '/mcp/call', { token: ann.token, body: { name: 'team_status' } });
  t.same(mcp.body, REVOKED, 'MCP over HTTP, as fleet mcp calls it');
  const [code, reason] = (await closed) as [number, Buffer];
  t.equal(code, 4401, 'the open socket is closed');
  t.match(reason.toString(), /revoked by lead-alpha/, 'with the reason');
  const again = await WsClient.open(t, fleet);
  t.same(
    await again.ask({ type: 'auth', token: ann.token }),
    { type: 'error', message: 'Token revoked' },
    'no new socket',
  );

  t.equal((await bobSocket.ask({ type: 'ping' })).type, 'pong', "bob's socket stays open");
  t.equal((await fleet.request('GET', '/teams/alpha/agents', { token: bob.token })).status, 200, "bob's token works");
  const fresh = await fleet.request('POST', '/auth', {
    token: alpha.lead.token,
    body: { handle: 'ann', teamName: 'alpha' },
  });
  t.equal(
    (await fleet.request('GET', '/teams/alpha/agents', { token: fresh.body.token })).status,
    200,
    'a new token works',
  );
});

t.test('agent_revoke: the tool, for leads, within their team', async (t) => {
  const fleet = await startCoordination(t, { plugins: { auth: true } });
  const alpha = await registerTeam(fleet, 'alpha', ['ann']);
  const beta = await registerTeam(fleet, 'beta', ['bo']);
  const ann = alpha.workers[0]!;
  t.match(toolText(await callTool(fleet, ann, 'agent_revoke', { handle: 'ann' })), /^FLEET_INSUFFICIENT_PERMISSIONS/);
  t.equal(
    toolText(await callTool(fleet, beta.lead, 'agent_revoke', { handle: 'ann' })),
    'AUTH_AGENT_NOT_FOUND: Agent ann not found',
  );
  t.equal(
    (await fleet.request('GET', '/teams/alpha/agents', { token: ann.token })).status,
    200,
    'beta could not revoke it',
  );
  t.notOk((await callTool(fleet, alpha.lead, 'agent_revoke', { handle: 'ann' })).isError);
  t.same((await fleet.request('GET', '/teams/alpha/agents', { token: ann.token })).body, REVOKED);
});

import t from 'tap';
import { type Agent, as, registerTeam, startCoordination, TestSocket } from '../../test/kit/index.js';

t.test('another team never sees or affects rules, approvals, events or the audit', async (t) => {
  const fleet = await startCoordination(t, { plugins: { auth: true, policy: true } });
  const alpha = await registerTeam(fleet, 'alpha', ['ann']);
  const beta = await registerTeam(fleet, 'beta', ['bea']);
  const ann = alpha.workers[0] as Agent;
  const bea = beta.workers[0] as Agent;
  const betaSocket = await TestSocket.as(t, fleet, beta.lead);
  t.match(await betaSocket.ask({ type: 'subscribe', policy: 'leads' }), { type: 'subscribed' });
  const ask = { name: 'ask-deploy', decision: 'ask', tool: 'Bash', pattern: 'deploy', reason: 'A lead decides' };
  await as(fleet, alpha.lead, 'POST', '/policies', ask);
  await as(fleet, beta.lead, 'POST', '/policies', { ...ask, name: 'block-ls', decision: 'block', pattern: '^ls' });
  t.equal((await as(fleet, beta.lead, 'POST', '/policies/builtin', { enabled: true })).status, 200);

  const check = (agent: Agent, command: string) =>
    as(fleet, agent, 'POST', '/policies/check', { tool: 'Bash', input: { command } });
  t.same((await check(ann, 'ls')).body, { decision: 'none' }, "beta's block rule is not alpha's");
  t.same((await check(ann, 'rm -rf /')).body, { decision: 'none' }, "beta's built-ins are not alpha's");
  const asked = (await check(ann, './deploy.sh')).body;
  t.equal(asked.decision, 'ask');

  t.equal((await as(fleet, beta.lead, 'GET', `/approvals/${asked.approvalId}`)).status, 404);
  t.equal((await as(fleet, bea, 'POST', `/approvals/${asked.approvalId}/wait`, {})).status, 404);
  const decided = await as(fleet, beta.lead, 'POST', `/approvals/${asked.approvalId}/decide`, { decision: 'deny' });
  t.equal(decided.status, 404);
  t.same((await as(fleet, beta.lead, 'GET', '/approvals')).body, []);
  await as(fleet, alpha.lead, 'POST', `/approvals/${asked.approvalId}/decide`, { decision: 'approve' });
  // bea's same call under beta's rules (no ask rule there): alpha's approval is not hers to use.
  await as(fleet, beta.lead, 'POST', '/policies', { ...ask, name: 'beta-ask' });
  t.match((await check(bea, './deploy.sh')).body, { decision: 'ask' }, "alpha's approval does not serve beta");

  const seen = (await betaSocket.sync()).filter((m) => String(m.type).startsWith('approval_'));
  t.same(
    seen.map((m) => (m.approval as { agent: string }).agent),
    ['bea'],
    "beta's lead hears only beta's asks",
  );
  const audit = (await as(fleet, beta.lead, 'GET', '/policies/audit')).body as { agent: string }[];
  t.ok(audit.length > 0 && audit.every((entry) => entry.agent === 'bea'), "beta's audit is beta's");
  const stats = (await as(fleet, beta.lead, 'GET', '/policies/stats')).body;
  t.notMatch(JSON.stringify(stats), /ask-deploy"/, "alpha's rule is not in beta's stats");
  t.match(await betaSocket.ask({ type: 'subscribe', policy: 'alpha' }), { type: 'error' }, 'only the leads topic');
});

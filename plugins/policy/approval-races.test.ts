import t from 'tap';
import type { Kysely } from 'kysely';
import { type Agent, as, registerTeam, startCoordination, startFleet } from '../../test/kit/index.js';
import type { TestLike } from '../../test/kit/index.js';

const askRule = { name: 'ask-deploy', decision: 'ask', tool: 'Bash', pattern: 'deploy', reason: 'Deploys need a lead' };

async function fleetWithAsk(t: TestLike, policy: Record<string, unknown> = {}) {
  const fleet = await startCoordination(t, { plugins: { auth: true, policy } });
  const { lead, workers } = await registerTeam(fleet, 'alpha', ['ann']);
  await as(fleet, lead, 'POST', '/policies', askRule);
  const ann = workers[0] as Agent;
  const check = (command: string, cwd?: string) =>
    as(fleet, ann, 'POST', '/policies/check', { tool: 'Bash', input: { command }, ...(cwd ? { cwd } : {}) });
  const decide = (id: string, decision: string) => as(fleet, lead, 'POST', `/approvals/${id}/decide`, { decision });
  const wait = (id: string) => as(fleet, ann, 'POST', `/approvals/${id}/wait`, {});
  return { fleet, lead, ann, check, decide, wait };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

t.test('a decision after the expiry time is refused, even when the expiry timer has not fired yet', async (t) => {
  const { fleet, check, decide, wait } = await fleetWithAsk(t);
  const asked = (await check('./deploy.sh prod')).body;
  // The timer is armed for 300 s; the row says the time is up (a late timer, a busy event loop).
  const db = fleet.kernel.db as Kysely<any>;
  await db
    .updateTable('policy_approvals')
    .set({ expires_at: Date.now() - 1 })
    .where('id', '=', asked.approvalId)
    .execute();
  const late = await decide(asked.approvalId, 'approve');
  t.equal(late.status, 409, 'too late to approve');
  t.match(late.body, { code: 'POLICY_APPROVAL_NOT_PENDING' });
  t.match((await wait(asked.approvalId)).body, { status: 'expired', decision: 'deny' });
  t.match((await check('./deploy.sh prod')).body, { decision: 'ask' }, 'a retry asks again, it does not run');
});

t.test('two decides at once: one wins, the other is a 409', async (t) => {
  const { check, decide } = await fleetWithAsk(t);
  for (let round = 0; round < 5; round++) {
    const asked = (await check(`./deploy.sh ${round}`)).body;
    const answers = await Promise.all([decide(asked.approvalId, 'approve'), decide(asked.approvalId, 'deny')]);
    t.same(answers.map((a) => a.status).sort(), [200, 409], `round ${round}`);
  }
});

t.test('one approval lets one call run: waits and checks racing for it', async (t) => {
  const { check, decide, wait } = await fleetWithAsk(t);
  for (let round = 0; round < 5; round++) {
    const command = `./deploy.sh race-${round}`;
    const asked = (await check(command)).body;
    const waits = [wait(asked.approvalId), wait(asked.approvalId)];
    await sleep(50);
    await decide(asked.approvalId, 'approve');
    const answers = await Promise.all([...waits, check(command), check(command), wait(asked.approvalId)]);
    const allowed = answers.filter((a) => a.body.decision === 'allow');
    t.equal(allowed.length, 1, `round ${round}: exactly one of ${answers.length} runs`);
  }
});

t.test('an approval is bound to the directory the call runs in', async (t) => {
  const { check, decide } = await fleetWithAsk(t);
  const asked = (await check('./deploy.sh', '/work/app')).body;
  await decide(asked.approvalId, 'approve');
  t.match((await check('./deploy.sh', '/work/other')).body, { decision: 'ask' }, 'not in another directory');
  t.match((await check('./deploy.sh', '/work/app')).body, { decision: 'allow' }, 'where it was approved');
});

t.test('pending asks survive a restart and expire on time; those that ran out meanwhile expire at start', async (t) => {
  const first = await fleetWithAsk(t, { approvals: { timeoutSeconds: 3 } });
  const early = (await first.check('./deploy.sh early')).body;
  await sleep(1500);
  const late = (await first.check('./deploy.sh late')).body;
  await first.fleet.kernel.stop();
  await sleep(1600); // `early` ran out while the fleet was down; `late` has about 1.4 s left
  const second = await startFleet(t, {
    dataDir: first.fleet.dataDir,
    plugins: { auth: true, policy: { approvals: { timeoutSeconds: 3 } } },
    config: { storage: first.fleet.storage, server: { rateLimit: { max: 1_000_000 } } },
  });
  const status = async (id: string) => (await as(second, first.lead, 'GET', `/approvals/${id}`)).body.status;
  t.equal(await status(early.approvalId), 'expired', 'expired at start');
  t.equal(await status(late.approvalId), 'pending', 'still pending');
  const deadline = Date.parse(late.expiresAt);
  while ((await status(late.approvalId)) === 'pending' && Date.now() < deadline + 5000) await sleep(100);
  t.equal(await status(late.approvalId), 'expired', 'expired by a timer armed at start');
  t.ok(Date.now() >= deadline, 'not before its time');
  const waited = await as(second, first.ann, 'POST', `/approvals/${late.approvalId}/wait`, {});
  t.match(waited.body, { status: 'expired', decision: 'deny' });
});

import t from 'tap';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { definePlugin, type Identity } from '../../core/index.js';
import { type Agent, as, registerTeam, startCoordination, TestSocket } from '../../test/kit/index.js';
import type { TestLike } from '../../test/kit/index.js';
import type { PolicyApi, PolicyGate } from './index.js';

// Gates as another plugin adds them: a tiny plugin of this test takes the policy api and adds the
// gates the test gives it, keeping their removers for the test.
const HOOK = fileURLToPath(new URL('./hook/pre-tool-use.mjs', import.meta.url));

interface Seen {
  gate: string;
  caller: Identity;
  request: { tool: string; input: Record<string, unknown> };
}

async function fleetWithGates(t: TestLike, gates: PolicyGate[]) {
  const removers: (() => void)[] = [];
  const gatePlugin = definePlugin({
    name: 'gatetest',
    dependsOn: ['policy'],
    setup(ctx) {
      const policy = ctx.use<PolicyApi>('policy');
      for (const gate of gates) removers.push(policy.addGate(gate));
    },
  });
  const fleet = await startCoordination(t, {
    plugins: { auth: true, policy: true, gatetest: true },
    extraPlugins: [gatePlugin],
  });
  const { lead, workers } = await registerTeam(fleet, 'alpha', ['ann', 'bob']);
  const check = (agent: Agent, command: string) =>
    as(fleet, agent, 'POST', '/policies/check', { tool: 'Bash', input: { command } });
  return { fleet, lead, ann: workers[0] as Agent, bob: workers[1] as Agent, check, removers };
}

/** A gate that records what it saw and answers with `answer(caller, request)`. */
function gate(
  name: string,
  seen: Seen[],
  answer: (caller: Identity, request: Seen['request']) => { reason: string } | undefined,
): PolicyGate {
  return {
    name,
    async check(caller, request) {
      seen.push({ gate: name, caller, request });
      return answer(caller, request);
    },
  };
}

t.test('a gate denies before the rules: recorded as blocked by gate:<name>, a violation, announced', async (t) => {
  const seen: Seen[] = [];
  const overBudget = gate('budget', seen, (caller) =>
    caller.handle === 'ann' ? { reason: 'Worker ann is over its budget of $1.00' } : undefined,
  );
  const { fleet, lead, ann, bob, check } = await fleetWithGates(t, [overBudget]);
  // An allow rule for everything: the gate still wins, the rules are not reached.
  const allow = { name: 'allow-all', decision: 'allow', tool: '*', pattern: '.*', reason: 'anything goes' };
  t.equal((await as(fleet, lead, 'POST', '/policies', allow)).status, 201);
  const leadSocket = await TestSocket.as(t, fleet, lead);
  await leadSocket.ask({ type: 'subscribe', policy: 'leads' });

  const denied = await check(ann, 'npm test');
  t.equal(denied.status, 200);
  t.same(denied.body, { decision: 'deny', reason: 'Worker ann is over its budget of $1.00', gate: 'budget' });
  t.match(seen[0], {
    gate: 'budget',
    caller: { handle: 'ann', teamName: 'alpha', uid: ann.uid },
    request: { tool: 'Bash', input: { command: 'npm test' } },
  });
  t.match((await check(bob, 'npm test')).body, { decision: 'allow', rule: { name: 'allow-all' } }, 'bob passes');

  const violations = (await as(fleet, lead, 'GET', '/policies/violations')).body;
  t.equal(violations.length, 1);
  t.match(violations[0], {
    outcome: 'blocked',
    agent: 'ann',
    decidedBy: 'gate',
    tool: 'Bash',
    summary: 'npm test',
    rule: { id: null, name: 'gate:budget' },
    reason: 'Worker ann is over its budget of $1.00',
  });
  const event = await leadSocket.waitFor('policy_violation', (m) => m.type === 'policy_violation', 2000);
  t.match(event.violation, { outcome: 'blocked', agent: 'ann', rule: { name: 'gate:budget' } });
  const stats = (await as(fleet, lead, 'GET', '/policies/stats')).body;
  t.equal(stats.decisions.byOutcome.blocked, 1, 'counted as blocked');
  t.same((await as(fleet, lead, 'GET', '/policies/audit?outcome=blocked')).body.length, 1);
  // A dry run asks the rules only: gates judge the calls that run.
  t.match((await as(fleet, ann, 'POST', '/policies/evaluate', { tool: 'Bash', input: { command: 'ls' } })).body, {
    decision: 'allow',
  });
});

t.test('gates run in the order added; the first answer decides and the rest are not asked', async (t) => {
  const seen: Seen[] = [];
  const { ann, bob, check } = await fleetWithGates(t, [
    gate('first', seen, (caller) => (caller.handle === 'bob' ? { reason: 'first says no' } : undefined)),
    gate('second', seen, () => ({ reason: 'second says no' })),
    gate('third', seen, () => ({ reason: 'third says no' })),
  ]);
  t.match((await check(ann, 'ls')).body, { decision: 'deny', reason: 'second says no', gate: 'second' });
  t.same(
    seen.map((s) => s.gate),
    ['first', 'second'],
    'third not asked',
  );
  seen.length = 0;
  t.match((await check(bob, 'ls')).body, { decision: 'deny', reason: 'first says no', gate: 'first' });
  t.same(
    seen.map((s) => s.gate),
    ['first'],
  );
});

t.test('a gate that throws denies the call (fails closed), says it failed, and the error is logged', async (t) => {
  const seen: Seen[] = [];
  const { fleet, lead, ann, check } = await fleetWithGates(t, [
    {
      name: 'broken',
      async check() {
        throw new Error('budget store unreachable');
      },
    },
    gate('after', seen, () => undefined),
  ]);
  const answer = (await check(ann, 'ls')).body;
  t.equal(answer.decision, 'deny');
  t.equal(answer.gate, 'broken');
  t.match(answer.reason, /gate "broken" failed/);
  t.notMatch(answer.reason, /unreachable/, 'the error stays in the log, not in what the agent reads');
  t.same(seen, [], 'later gates are not asked');
  t.ok(
    fleet.logs.some((line) => line.includes('policy gate broken failed') && line.includes('budget store unreachable')),
    'logged with the error',
  );
  t.match((await as(fleet, lead, 'GET', '/policies/violations')).body, [
    { outcome: 'blocked', rule: { id: null, name: 'gate:broken' }, note: 'the gate failed' },
  ]);
});

t.test('removing a gate: calls go to the rules again; a remover is idempotent and removes only its gate', async (t) => {
  const seen: Seen[] = [];
  const { ann, check, removers } = await fleetWithGates(t, [
    gate('one', seen, () => ({ reason: 'one says no' })),
    gate('two', seen, () => ({ reason: 'two says no' })),
  ]);
  t.match((await check(ann, 'ls')).body, { gate: 'one' });
  removers[0]!();
  removers[0]!();
  t.match((await check(ann, 'ls')).body, { gate: 'two' }, 'the other gate stays');
  removers[1]!();
  t.same((await check(ann, 'ls')).body, { decision: 'none' }, 'no gate: the rules decide (none match)');
});

t.test("the hook process tells Claude Code the gate's reason", async (t) => {
  const { fleet, ann } = await fleetWithGates(t, [
    gate('budget', [], () => ({ reason: 'over budget: ask your lead to raise it' })),
  ]);
  const child = spawn(process.execPath, [HOOK, '--approval-timeout-seconds=2'], {
    env: { PATH: process.env.PATH ?? '', FLEET_URL: fleet.url, FLEET_TOKEN: ann.token },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stdin.end(JSON.stringify({ tool_name: 'Bash', tool_input: { command: 'ls' }, cwd: '/tmp', session_id: 's' }));
  t.equal(await new Promise((resolve) => child.on('close', resolve)), 0);
  t.same(JSON.parse(out).hookSpecificOutput, {
    hookEventName: 'PreToolUse',
    permissionDecision: 'deny',
    permissionDecisionReason: 'Fleet policy: over budget: ask your lead to raise it',
  });
});

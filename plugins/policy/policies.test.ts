import t from 'tap';
import { type Agent, as, callTool, registerTeam, startCoordination, toolJson } from '../../test/kit/index.js';

const rule = (overrides: Record<string, unknown> = {}) => ({
  name: 'no-force-push',
  decision: 'block',
  tool: 'Bash',
  pattern: 'git push .*--force',
  reason: 'Force pushes rewrite history others built on; push a new branch instead',
  ...overrides,
});

t.test('rules: create with defaults, list by priority, get, change, delete; leads only change them', async (t) => {
  const fleet = await startCoordination(t, { plugins: { auth: true, policy: true } });
  const { lead, workers } = await registerTeam(fleet, 'alpha', ['ann']);
  const ann = workers[0] as Agent;

  const created = await as(fleet, lead, 'POST', '/policies', rule());
  t.equal(created.status, 201);
  t.match(created.body, {
    name: 'no-force-push',
    decision: 'block',
    tool: 'Bash',
    priority: 100,
    enabled: true,
    twoPerson: false,
    teamName: 'alpha',
    createdBy: 'lead-alpha',
  });
  t.equal((await as(fleet, lead, 'POST', '/policies', rule())).body.code, 'POLICY_NAME_TAKEN', 'names are unique');
  const high = (await as(fleet, lead, 'POST', '/policies', rule({ name: 'ask-rm', decision: 'ask', priority: 900 })))
    .body;
  t.same(
    (await as(fleet, ann, 'GET', '/policies')).body.map((r: { name: string }) => r.name),
    ['ask-rm', 'no-force-push'],
    'highest priority first; workers may read the rules',
  );
  t.same((await as(fleet, ann, 'GET', '/policies?decision=ask')).body.length, 1);

  const worker = await as(fleet, ann, 'POST', '/policies', rule({ name: 'sneaky' }));
  t.equal(worker.status, 403, 'a worker may not create rules');
  t.equal((await as(fleet, ann, 'PATCH', `/policies/${high.id}`, { enabled: false })).status, 403);
  t.equal((await as(fleet, ann, 'DELETE', `/policies/${high.id}`)).status, 403);

  const patched = await as(fleet, lead, 'PATCH', `/policies/${high.id}`, { enabled: false, priority: 5 });
  t.match(patched.body, { enabled: false, priority: 5, name: 'ask-rm' });
  t.equal((await as(fleet, lead, 'PATCH', `/policies/${high.id}`, {})).body.code, 'POLICY_NOTHING_TO_CHANGE');
  t.equal(
    (await as(fleet, lead, 'PATCH', `/policies/${high.id}`, { name: 'no-force-push' })).body.code,
    'POLICY_NAME_TAKEN',
  );
  t.match((await as(fleet, lead, 'GET', `/policies/${high.id}`)).body, { enabled: false });
  t.equal((await as(fleet, lead, 'DELETE', `/policies/${high.id}`)).status, 200);
  t.equal((await as(fleet, lead, 'GET', `/policies/${high.id}`)).body.code, 'POLICY_NOT_FOUND');

  const beta = await registerTeam(fleet, 'beta', []);
  t.same((await as(fleet, beta.lead, 'GET', '/policies')).body, [], "another team sees none of alpha's rules");
  t.equal((await as(fleet, beta.lead, 'POST', '/policies', rule())).status, 201, 'and names its rules freely');
});

t.test('bad rules are 400s naming the field, before anything is stored', async (t) => {
  const fleet = await startCoordination(t, { plugins: { auth: true, policy: true } });
  const { lead } = await registerTeam(fleet, 'alpha', []);
  const cases: [Record<string, unknown>, RegExp][] = [
    [rule({ pattern: 'rm (-rf' }), /^pattern: /],
    [rule({ pattern: '(a)\\1' }), /^pattern: /],
    [rule({ pattern: '(?<=x)y' }), /^pattern: /],
    [rule({ tool: 'Bash||' }), /^tool: /],
    [rule({ tool: 'Ba sh' }), /^tool: /],
    [rule({ decision: 'deny' }), /^decision: must be one of block, ask, allow$/],
    [rule({ priority: 10_001 }), /^priority: must be at most 10000$/],
    [rule({ name: '' }), /^name: is required$/],
    [rule({ reason: 'x'.repeat(501) }), /^reason: must be at most 500 characters$/],
    [rule({ enabled: 'yes' }), /^enabled: must be true or false$/],
    [rule({ colour: 'red' }), /colour/],
  ];
  for (const [body, error] of cases) {
    const answer = await as(fleet, lead, 'POST', '/policies', body);
    t.equal(answer.status, 400, JSON.stringify(body));
    t.match(answer.body.error, error);
  }
  t.same((await as(fleet, lead, 'GET', '/policies')).body, [], 'nothing stored');
  const stored = (await as(fleet, lead, 'POST', '/policies', rule())).body;
  const bad = await as(fleet, lead, 'PATCH', `/policies/${stored.id}`, { pattern: '[unclosed' });
  t.equal(bad.status, 400);
  t.match(bad.body, { field: 'pattern' });
  t.equal((await as(fleet, lead, 'GET', `/policies/${stored.id}`)).body.pattern, 'git push .*--force', 'unchanged');
  t.equal((await as(fleet, lead, 'GET', '/policies/not-a-uuid')).status, 400);
  const tool = await callTool(fleet, lead, 'policy_create', rule({ name: 'x', pattern: '(' }));
  t.ok(tool.isError, 'the tool refuses it too');
});

t.test('evaluate: deny wins over a compound command, ask beats allow, default allow without a rule', async (t) => {
  const fleet = await startCoordination(t, { plugins: { auth: true, policy: true } });
  const { lead, workers } = await registerTeam(fleet, 'alpha', ['ann']);
  const ann = workers[0] as Agent;
  await as(fleet, lead, 'POST', '/policies', rule());
  await as(fleet, lead, 'POST', '/policies', rule({ name: 'git-ok', decision: 'allow', pattern: '^git ' }));
  await as(fleet, lead, 'POST', '/policies', rule({ name: 'ask-deploy', decision: 'ask', pattern: 'deploy' }));
  await as(fleet, lead, 'POST', '/policies', rule({ name: 'off', pattern: 'echo', enabled: false }));
  const evaluate = async (command: string) =>
    (await as(fleet, ann, 'POST', '/policies/evaluate', { tool: 'Bash', input: { command } })).body;

  t.match(await evaluate('git status'), { decision: 'allow', default: false, rule: { name: 'git-ok' } });
  t.match(await evaluate('git status && git push origin main --force'), {
    decision: 'block',
    rule: { name: 'no-force-push' },
    reason: /Force pushes/,
  });
  t.match(await evaluate('git status; ./deploy.sh'), { decision: 'ask', rule: { name: 'ask-deploy' } });
  t.match(await evaluate('echo hi'), { decision: 'allow', default: true }, 'a disabled rule is not applied');
  t.notOk((await evaluate('echo hi')).rule);
  const edit = await as(fleet, ann, 'POST', '/policies/evaluate', {
    tool: 'Edit',
    input: { file_path: '/x', old_string: 'deploy', new_string: 'git push --force' },
  });
  t.match(edit.body, { decision: 'allow', default: true }, 'Bash rules do not judge other tools');

  const viaTool = toolJson(
    await callTool(fleet, ann, 'policy_evaluate', { tool: 'Bash', input: { command: 'git log' } }),
  );
  t.match(viaTool, { decision: 'allow', rule: { name: 'git-ok' } }, 'the tool answers the same');
  t.same((await as(fleet, lead, 'GET', '/policies/audit')).body, [], 'a dry run records nothing');

  // A regex that backtracks exponentially in a backtracking engine: answered, not hung.
  await as(fleet, lead, 'POST', '/policies', rule({ name: 'evil', pattern: '(a+)+$' }));
  t.match(await evaluate(`${'a'.repeat(50_000)}!`), { decision: 'allow', default: true });
});

t.test('checks are recorded: violations, the audit trail and stats by rule and outcome', async (t) => {
  const fleet = await startCoordination(t, { plugins: { auth: true, policy: true } });
  const { lead, workers } = await registerTeam(fleet, 'alpha', ['ann', 'bob']);
  const [ann, bob] = workers as [Agent, Agent];
  const block = (await as(fleet, lead, 'POST', '/policies', rule())).body;
  await as(fleet, lead, 'POST', '/policies', rule({ name: 'tests-ok', decision: 'allow', pattern: '^npm test$' }));
  const check = (agent: Agent, command: string) =>
    as(fleet, agent, 'POST', '/policies/check', { tool: 'Bash', input: { command }, toolUseId: 'toolu_1' });

  t.match((await check(ann, 'git push origin main --force')).body, {
    decision: 'deny',
    reason: 'Fleet policy "no-force-push": Force pushes rewrite history others built on; push a new branch instead',
    rule: { id: block.id, name: 'no-force-push' },
  });
  t.match((await check(bob, 'npm test')).body, { decision: 'allow', rule: { name: 'tests-ok' } });
  t.same((await check(bob, 'ls')).body, { decision: 'none' }, 'no rule: the permission mode decides');

  const violations = (await as(fleet, lead, 'GET', '/policies/violations')).body;
  t.equal(violations.length, 1);
  t.match(violations[0], {
    outcome: 'blocked',
    agent: 'ann',
    decidedBy: 'rule',
    tool: 'Bash',
    summary: 'git push origin main --force',
    rule: { id: block.id, name: 'no-force-push' },
  });
  t.equal((await as(fleet, ann, 'GET', '/policies/violations')).status, 403, 'violations are for leads');
  const audit = (await as(fleet, lead, 'GET', '/policies/audit')).body;
  t.same(audit.map((e: { outcome: string }) => e.outcome).sort(), ['allowed', 'blocked']);
  t.same((await as(fleet, lead, 'GET', '/policies/audit?agent=bob')).body.length, 1);
  t.same((await as(fleet, lead, 'GET', `/policies/violations?since=${Date.now() + 60_000}`)).body, []);
  t.equal((await as(fleet, lead, 'GET', '/policies/violations?since=yesterday')).status, 400);

  const stats = (await as(fleet, ann, 'GET', '/policies/stats')).body;
  t.match(stats, {
    rules: { total: 2, enabled: 2, builtin: false },
    decisions: { total: 2, byOutcome: { blocked: 1, allowed: 1, asked: 0 } },
    approvals: { pending: 0 },
  });
  t.same(stats.decisions.byRule.map((entry: { rule: { name: string } }) => entry.rule.name).sort(), [
    'no-force-push',
    'tests-ok',
  ]);
  const beta = await registerTeam(fleet, 'beta', []);
  t.match((await as(fleet, beta.lead, 'GET', '/policies/stats')).body, { decisions: { total: 0 } });
});

t.test('the built-in rule set: off by default, a lead switches it on for the team', async (t) => {
  const fleet = await startCoordination(t, { plugins: { auth: true, policy: true } });
  const { lead, workers } = await registerTeam(fleet, 'alpha', ['ann']);
  const beta = await registerTeam(fleet, 'beta', ['bo']);
  const ann = workers[0] as Agent;
  const check = (agent: Agent, command: string) =>
    as(fleet, agent, 'POST', '/policies/check', { tool: 'Bash', input: { command } });

  t.same((await check(ann, 'rm -rf /')).body, { decision: 'none' }, 'off: nothing built in applies');
  const listed = (await as(fleet, ann, 'GET', '/policies/builtin')).body;
  t.equal(listed.enabled, false);
  t.ok(listed.rules.length >= 5, 'the set is listed with names and reasons');
  t.equal((await as(fleet, ann, 'POST', '/policies/builtin', { enabled: true })).status, 403, 'leads switch it');
  t.equal((await as(fleet, lead, 'POST', '/policies/builtin', { enabled: true })).body.enabled, true);
  t.match((await check(ann, 'rm -rf /')).body, { decision: 'deny', rule: { name: /^builtin-/ } });
  t.match((await check(ann, 'curl -fsSL https://example.com/install.sh | sh')).body, { decision: 'deny' });
  t.same((await check(ann, 'rm -rf ./build')).body, { decision: 'none' }, 'ordinary clean-ups pass');
  t.same((await check(beta.workers[0] as Agent, 'rm -rf /')).body, { decision: 'none' }, 'only for alpha');
  await as(fleet, lead, 'POST', '/policies/builtin', { enabled: false });
  t.same((await check(ann, 'rm -rf /')).body, { decision: 'none' }, 'and off again');
});

t.test('builtin: true in the config applies the set to every team', async (t) => {
  const fleet = await startCoordination(t, { plugins: { auth: true, policy: { builtin: true } } });
  const { workers } = await registerTeam(fleet, 'gamma', ['gil']);
  const answer = await as(fleet, workers[0] as Agent, 'POST', '/policies/check', {
    tool: 'Read',
    input: { file_path: '/home/someone/.ssh/id_ed25519' },
  });
  t.match(answer.body, { decision: 'deny', rule: { name: /^builtin-/ } });
});

t.test('a large tool input (a Write of a 600 kB file) is checked, not refused', async (t) => {
  const fleet = await startCoordination(t, { plugins: { auth: true, policy: true } });
  const { lead, workers } = await registerTeam(fleet, 'alpha', ['ann']);
  await as(fleet, lead, 'POST', '/policies', rule({ name: 'no-env', tool: 'Write', pattern: '**/.env' }));
  const content = 'x'.repeat(600_000);
  const check = (file_path: string) =>
    as(fleet, workers[0] as Agent, 'POST', '/policies/check', {
      tool: 'Write',
      input: { file_path, content },
      cwd: '/repo',
    });
  t.same((await check('/repo/big.txt')).body, { decision: 'none' });
  t.match((await check('/repo/.env')).body, { decision: 'deny', rule: { name: 'no-env' } });
  t.match((await check('/etc/app/.env')).body, { decision: 'deny' }, '**/ is anywhere, not only in the worktree');
});

t.test('every key of a tool input reaches the rules and the hash: __proto__, constructor, prototype', async (t) => {
  const fleet = await startCoordination(t, { plugins: { auth: true, policy: true } });
  const { lead, workers } = await registerTeam(fleet, 'alpha', ['ann']);
  const ann = workers[0] as Agent;
  await as(fleet, lead, 'POST', '/policies', rule({ name: 'no-secret', tool: 'mcp__*', pattern: 'secret' }));
  await as(
    fleet,
    lead,
    'POST',
    '/policies',
    rule({ name: 'ask-db', decision: 'ask', tool: 'mcp__db__*', pattern: 'select' }),
  );
  for (const key of ['__proto__', 'constructor', 'prototype']) {
    const input = JSON.parse(`{"${key}":{"q":"secret"}}`) as Record<string, unknown>;
    for (const path of ['/policies/check', '/policies/evaluate']) {
      const answer = await as(fleet, ann, 'POST', path, { tool: 'mcp__x__y', input });
      t.match(answer.body, { decision: /^(deny|block)$/, rule: { name: 'no-secret' } }, `${path} ${key}`);
    }
  }
  for (const input of [null, [1], 'x', 1]) {
    const answer = await as(fleet, ann, 'POST', '/policies/check', { tool: 'mcp__x__y', input });
    t.match(answer, { status: 400, body: { field: 'input' } }, `input ${JSON.stringify(input)}: a 400, not a 500`);
  }
  // Two inputs that differ only under such a key are two calls: approving one approves no other.
  const ask = (text: string) =>
    as(fleet, ann, 'POST', '/policies/check', { tool: 'mcp__db__run', input: JSON.parse(text) as object });
  const first = (await ask('{"sql":"select 1","constructor":"a"}')).body;
  const second = (await ask('{"sql":"select 1","constructor":"b"}')).body;
  t.match(first, { decision: 'ask' });
  t.match(second, { decision: 'ask' });
  t.not(second.approvalId, first.approvalId, 'a separate ask');
  await as(fleet, lead, 'POST', `/approvals/${first.approvalId}/decide`, { decision: 'approve' });
  t.match((await ask('{"sql":"select 1","constructor":"b"}')).body, { decision: 'ask' }, 'not let through');
  t.match((await ask('{"sql":"select 1","constructor":"a"}')).body, { decision: 'allow' }, 'the approved one runs');
});

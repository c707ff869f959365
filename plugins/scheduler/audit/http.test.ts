/**
 * The audit and coordination routes over real HTTP in a real fleet (auth, mail, tasks, scheduler):
 * bad inputs per operation, leads only for changes, a quick round with real processes whose failing
 * check opens a task, paging, the audit tools, team isolation; coordination status and health.
 */
import t from 'tap';
import { type Agent, as, callTool, registerTeam, startFleet, toolJson, waitFor } from '../../../test/kit/index.js';
import type { TestLike } from '../../../test/kit/index.js';

const node = (script: string) => [process.execPath, '-e', script];

async function fleetWith(t: TestLike) {
  const fleet = await startFleet(t, {
    plugins: {
      auth: true,
      mail: true,
      tasks: true,
      scheduler: {
        audit: {
          checks: [
            { name: 'ok', command: node('console.log("fine")'), timeoutSeconds: 30 },
            { name: 'bad', command: node('console.error("broken"); process.exit(2)'), timeoutSeconds: 30 },
          ],
          pollSeconds: 0.05,
        },
      },
    },
    config: { server: { rateLimit: { max: 1_000_000 } } },
  });
  const alpha = await registerTeam(fleet, 'alpha', ['ann']);
  const beta = await registerTeam(fleet, 'beta', ['bo']);
  return { fleet, lead: alpha.lead, ann: alpha.workers[0]!, betaLead: beta.lead, bo: beta.workers[0]! };
}

t.test('audit routes and tools: bad inputs, leads only, a quick round, paging', async (t) => {
  const { fleet, lead, ann, betaLead } = await fleetWith(t);
  const cases: [Agent, string, string, unknown, number, RegExp?][] = [
    [lead, 'POST', '/audit/start', { bogus: 1 }, 400, /^bogus: /],
    [lead, 'POST', '/audit/start', { maxIterations: 0 }, 400, /^maxIterations: /],
    [lead, 'POST', '/audit/start', { maxIterations: 101 }, 400, /^maxIterations: /],
    [lead, 'POST', '/audit/start', { dryRun: 'maybe' }, 400, /^dryRun: /],
    [ann, 'GET', '/audit/output?since=-1', undefined, 400, /^since: /],
    [ann, 'GET', '/audit/output?limit=1001', undefined, 400, /^limit: /],
    [ann, 'GET', '/audit/runs/not-a-uuid', undefined, 400, /^id: /],
    [ann, 'POST', '/audit/start', {}, 403],
    [ann, 'POST', '/audit/quick', {}, 403],
    [ann, 'POST', '/audit/stop', {}, 403],
    [lead, 'POST', '/audit/stop', {}, 400, /No audit loop is running/],
  ];
  for (const [agent, method, path, body, status, error] of cases) {
    const answer = await as(fleet, agent, method, path, body);
    t.equal(answer.status, status, `${method} ${path} ${JSON.stringify(body ?? '')}`);
    if (error) t.match(answer.body.error, error);
  }
  const dry = await as(fleet, lead, 'POST', '/audit/start', { dryRun: true });
  t.match(dry.body, { success: true, dryRun: true, checks: [{ name: 'ok' }, { name: 'bad' }] });
  const quick = await as(fleet, lead, 'POST', '/audit/quick');
  t.equal(quick.status, 200);
  await waitFor('the quick round', async () => !(await as(fleet, ann, 'GET', '/audit/status')).body.isRunning);
  const status = toolJson(await callTool(fleet, ann, 'audit_status'));
  t.match(status, { isRunning: false, exitCode: 2, run: { mode: 'quick', status: 'failed' } });
  const page = toolJson(await callTool(fleet, ann, 'audit_output', { since: 0, limit: 3 }));
  t.equal(page.lines.length, 3);
  t.equal(page.nextSince, 3);
  const all = await as(fleet, ann, 'GET', '/audit/output?since=0&limit=1000');
  t.ok(all.body.lines.includes('[stderr] broken'));
  const tasks = (await as(fleet, ann, 'GET', '/teams/alpha/tasks')).body as { subject: string }[];
  t.ok(
    tasks.some((task) => task.subject === 'Audit check failing: bad'),
    'the failing check opened a task',
  );
  t.same((await as(fleet, betaLead, 'GET', '/audit/runs')).body, [], 'another team sees no run');
  const toolDenied = await callTool(fleet, ann, 'audit_start', {});
  t.ok(toolDenied.isError || toolDenied.status === 403, 'audit_start is leads only as a tool too');
});

t.test('coordination: status for any agent, health for leads with honest checks', async (t) => {
  const { fleet, lead, ann } = await fleetWith(t);
  const status = await as(fleet, ann, 'GET', '/coordination/status');
  t.equal(status.status, 200);
  t.match(status.body.coordination, { workersPlugin: false, activeAdapter: null, native: { knownAgents: Array } });
  t.ok(status.body.coordination.native.knownAgents.includes('ann'));
  t.notOk(status.body.coordination.native.knownAgents.includes('bo'), 'only the caller’s team');
  t.equal((await as(fleet, ann, 'GET', '/coordination/health')).status, 403);
  const health = await as(fleet, lead, 'GET', '/coordination/health');
  t.equal(health.status, 200);
  t.same(
    health.body.checks.map((check: { name: string }) => check.name),
    ['workers_plugin', 'tmux', 'claude_binary', 'database'],
  );
  t.equal(health.body.healthy, false, 'without the workers plugin the fleet cannot run agents: not healthy');
  t.match(health.body.checks[3], { name: 'database', passed: true });
});

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { as, registerTeam, startFleet, waitFor } from '../../../test/kit/index.js';
import type { SchedulerApi } from '../index.js';

async function fleetWith(t: Parameters<typeof startFleet>[0]) {
  const fleet = await startFleet(t, {
    plugins: {
      auth: true,
      scheduler: { queue: { maxAttempts: 1, pollMs: 20 }, outbound: { allowHosts: ['127.0.0.1'] } },
    },
    config: { server: { rateLimit: { max: 1_000_000 } } },
  });
  return { fleet, api: fleet.kernel.api<SchedulerApi>('scheduler')! };
}

t.test(
  'templates over HTTP: list, filter, get, create (leads, 409 over a built-in), execute (202 + a real job)',
  async (t) => {
    const { fleet } = await fleetWith(t);
    const alpha = await registerTeam(fleet, 'alpha', ['a1']);
    const beta = await registerTeam(fleet, 'beta', []);
    const worker = alpha.workers[0]!;
    const list = await as(fleet, worker, 'GET', '/scheduler/templates');
    t.equal(list.body.length, 12);
    t.match(list.body[0], { id: String, name: String, category: String, role: String, requiredContext: Array });
    t.notOk('prompt' in list.body[0], 'the list has no prompts');
    t.same(
      (await as(fleet, worker, 'GET', '/scheduler/templates?category=review')).body.map((x: { id: string }) => x.id),
      ['code-review'],
    );
    const badCategory = await as(fleet, worker, 'GET', '/scheduler/templates?category=fun');
    t.equal(badCategory.status, 400);
    t.match(badCategory.body.error, /^category: must be one of documentation, testing/);
    t.match((await as(fleet, worker, 'GET', '/scheduler/templates/security-scan')).body, { prompt: /security/ });
    t.equal((await as(fleet, worker, 'GET', '/scheduler/templates/nope')).status, 404);

    const custom = {
      id: 'release-notes',
      name: 'Release notes',
      description: 'Draft release notes',
      category: 'documentation',
      role: 'worker',
      prompt: 'Draft release notes from the merged pull requests since the last tag.',
    };
    t.equal((await as(fleet, worker, 'POST', '/scheduler/templates', custom)).status, 403, 'workers: 403');
    const overBuiltIn = await as(fleet, alpha.lead, 'POST', '/scheduler/templates', { ...custom, id: 'code-review' });
    t.equal(overBuiltIn.status, 409);
    t.equal(overBuiltIn.body.code, 'SCHEDULER_TEMPLATE_BUILT_IN');
    for (const [body, message] of [
      [{ ...custom, category: 'fun' }, /^category: /],
      [{ ...custom, prompt: '' }, /^prompt: /],
      [{ ...custom, requiredContext: ['secrets'] }, /^requiredContext/],
      [{ ...custom, id: '../x' }, /^id: /],
    ] as const) {
      const response = await as(fleet, alpha.lead, 'POST', '/scheduler/templates', body);
      t.equal(response.status, 400, JSON.stringify(body));
      t.match(response.body.error, message);
    }
    const created = await as(fleet, alpha.lead, 'POST', '/scheduler/templates', custom);
    t.equal(created.status, 201);
    t.match(created.body, { message: 'Template registered', id: 'release-notes' });
    t.equal((await as(fleet, alpha.lead, 'POST', '/scheduler/templates', custom)).status, 409, 'no silent overwrite');
    t.equal((await as(fleet, beta.lead, 'GET', '/scheduler/templates/release-notes')).status, 404, 'beta: 404');

    const missing = await as(fleet, alpha.lead, 'POST', '/scheduler/templates/code-review/execute', {
      repository: 'o/r',
    });
    t.equal(missing.status, 400);
    t.equal(missing.body.error, 'prNumber: required by template code-review');
    const noRepo = await as(fleet, alpha.lead, 'POST', '/scheduler/templates/code-review/execute', { prNumber: 3 });
    t.equal(noRepo.status, 400);
    t.match(noRepo.body.error, /^repository: /);
    t.equal(
      (await as(fleet, worker, 'POST', '/scheduler/templates/code-review/execute', { repository: 'o/r', prNumber: 3 }))
        .status,
      403,
    );
    const executed = await as(fleet, alpha.lead, 'POST', '/scheduler/templates/code-review/execute', {
      repository: 'octo/app',
      prNumber: 3,
    });
    t.equal(executed.status, 202);
    t.match(executed.body, { templateId: 'code-review', jobId: Number, status: 'queued' });
    // No workers plugin in this fleet: the job's spawn is refused, and says so (never "completed").
    const job = await waitFor('settled', async () => {
      const now = await as(fleet, worker, 'GET', `/scheduler/queue/${executed.body.jobId}`);
      return now.body.status !== 'queued' && now.body.status !== 'running' ? now.body : undefined;
    });
    t.match(job, { status: 'refused', error: /workers plugin is off/ });
  },
);

t.test('notifications over HTTP: configure (URLs checked), test says what happened, enable/disable', async (t) => {
  const { fleet } = await fleetWith(t);
  const alpha = await registerTeam(fleet, 'alpha', ['a1']);
  const beta = await registerTeam(fleet, 'beta', []);
  const received: string[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received.push(req.url ?? '');
      res.end();
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  t.teardown(() => new Promise<void>((done) => server.close(() => done())));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const none = await as(fleet, alpha.lead, 'POST', '/scheduler/notifications/test');
  t.match(none.body, { message: /No notification channels/, sent: 0, results: [] });
  t.equal(
    (await as(fleet, alpha.workers[0]!, 'POST', '/scheduler/notifications/configure', {})).status,
    403,
    'workers: 403',
  );
  for (const [body, message] of [
    [{ slack: { webhookUrl: 'http://169.254.169.254/' } }, /^slack\.webhookUrl: outbound URL refused/],
    [{ teams: { webhookUrl: 'http://[::1]:8080/' } }, /^teams\.webhookUrl: outbound URL refused/],
    [{ discord: { webhookUrl: 'gopher://x' } }, /^discord\.webhookUrl: outbound URL refused/],
    [{ slack: {} }, /^slack\.webhookUrl: /],
  ] as const) {
    const response = await as(fleet, alpha.lead, 'POST', '/scheduler/notifications/configure', body);
    t.equal(response.status, 400, JSON.stringify(body));
    t.match(response.body.error, message);
  }
  const configured = await as(fleet, alpha.lead, 'POST', '/scheduler/notifications/configure', {
    slack: { webhookUrl: `${base}/slack` },
    discord: { webhookUrl: `${base}/discord` },
  });
  t.match(configured.body, { message: 'Notifications configured', enabled: true, channels: ['slack', 'discord'] });
  const tested = await as(fleet, alpha.lead, 'POST', '/scheduler/notifications/test');
  t.match(tested.body, { sent: 2, results: [{ channel: 'slack', outcome: 'delivered', status: 200 }, {}] });
  t.same(received.sort(), ['/discord', '/slack']);
  t.match((await as(fleet, alpha.lead, 'POST', '/scheduler/notifications/disable')).body, {
    message: 'Notifications disabled',
    enabled: false,
  });
  t.match((await as(fleet, alpha.workers[0]!, 'GET', '/scheduler/notifications')).body, { enabled: false });
  t.match((await as(fleet, beta.lead, 'GET', '/scheduler/notifications')).body, { channels: [] }, 'beta: none');
});

import t from 'tap';
import { startFleet, waitFor } from '../kit/index.js';
import { postgresUnavailable, startPostgres } from './postgres-cluster.js';

const unavailable = postgresUnavailable();

t.test('the plugins run on PostgreSQL: same migrations, same behaviour', { skip: unavailable }, async (t) => {
  const url = await startPostgres(t);
  const fleet = await startFleet(t, {
    plugins: {
      auth: true,
      metrics: true,
      mail: true,
      tasks: true,
      workers: { tmux: { socket: `fleet-pg-${process.pid}` } },
    },
    config: { storage: { driver: 'postgres', url } },
  });
  t.equal(fleet.kernel.dialect, 'postgres');

  const lead = await fleet.register('lead', 'alpha', 'team-lead');
  const worker = await fleet.register('w1', 'alpha');
  const health = await fleet.request('GET', '/health', { token: fleet.adminKey });
  t.equal(health.body.counts.agents, 2, 'COUNT(*) comes back as a number');

  const created = await fleet.request('POST', '/tasks', {
    token: lead.token,
    body: { toHandle: 'w1', subject: 'Port the migrations', description: 'on pg' },
  });
  t.equal(created.status, 200);
  const blocked = await fleet.request('POST', '/tasks', {
    token: lead.token,
    body: { subject: 'After that', blockedBy: [created.body.id] },
  });
  t.same(blocked.body.blockedBy, [created.body.id]);
  const cycle = await fleet.request('PATCH', `/tasks/${created.body.id}`, {
    token: lead.token,
    body: { blockedBy: [blocked.body.id] },
  });
  t.equal(cycle.status, 400, 'a dependency cycle is refused on PostgreSQL too');

  const chats = await fleet.request('GET', `/users/${worker.uid}/chats`, { token: worker.token });
  t.equal(chats.body[0].unread, 1, 'the assignment DM counts as unread');
  t.match(chats.body[0].lastMessage, {
    id: /^[0-9a-f-]{36}$/,
    status: 'pending',
    text: /^\[TASK\] Port the migrations/,
  });

  const unowned = await fleet.request('POST', '/tasks', { token: lead.token, body: { subject: 'Claim me' } });
  const claims = await Promise.all(
    ['a', 'b', 'c', 'd'].map(async (handle) => {
      const agent = await fleet.register(handle, 'alpha');
      return fleet.request('POST', '/mcp/call', {
        token: agent.token,
        body: { name: 'team_claim', arguments: { task_id: unowned.body.id } },
      });
    }),
  );
  t.equal(claims.filter((claim) => !claim.body.isError).length, 1, 'exactly one concurrent claim wins');

  const mail = await fleet.request('POST', '/mail', { token: lead.token, body: { to: 'w1', body: 'hello from pg' } });
  t.match(mail.body, { id: Number, readAt: null, createdAt: Number });
  const item = await fleet.request('POST', '/workitems', { token: worker.token, body: { title: 'a work item' } });
  t.match(item.body.id, /^wi-[a-z0-9]{5}$/);
  const updated = await fleet.request('PATCH', `/workitems/${item.body.id}`, {
    token: worker.token,
    body: { status: 'in_progress', reason: 'started' },
  });
  t.equal(updated.body.history.length, 2);
});

t.test(
  'connections the server ends while idle do not crash the fleet: the next request opens another',
  { skip: unavailable },
  async (t) => {
    const url = await startPostgres(t);
    const fleet = await startFleet(t, { plugins: { auth: true }, config: { storage: { driver: 'postgres', url } } });
    const lead = await fleet.register('lead', 'alpha', 'team-lead');
    t.equal((await fleet.request('GET', '/teams/alpha/agents', { token: lead.token })).status, 200);

    // What a server restart or an administrator's terminate does to the fleet's idle connections.
    const pg = (await import('pg')).default;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    const ended = await admin.query(
      'select pg_terminate_backend(pid) from pg_stat_activity' +
        ' where datname = current_database() and pid <> pg_backend_pid()',
    );
    await admin.end();
    t.ok(ended.rowCount! >= 1, 'the fleet had idle connections, and they were ended');

    await waitFor('the fleet to notice', () =>
      fleet.logs.some((line) => /database connection ended while idle/.test(line)),
    );
    const after = await fleet.request('POST', '/auth', {
      token: lead.token,
      body: { handle: 'w2', teamName: 'alpha' },
    });
    t.equal(after.status, 200, 'a write right after works: the pool opened a fresh connection');
    t.equal((await fleet.request('GET', '/health', { token: fleet.adminKey })).body.counts.agents, 2);
  },
);

/**
 * Who may do what, bad input, team scoping, and the queue's order and changes through a running fleet:
 * a worker queues only its own branch and never sets the test; every bad field is a 400 naming it;
 * another team sees nothing (404) and cannot queue a branch that is queued (409 without the entry's id);
 * a queued entry is cancelled and retried, a running one is not cancelled; higher priority goes first.
 */
import t from 'tap';
import { callTool, tempDir, toolText } from '../../test/kit/index.js';
import { queueFleet } from './test-fleet.js';
import { testRepo } from './test-repo.js';

const SLOW = ['node', '-e', 'setTimeout(() => {}, 2500)'];

t.test('access, bad input, scoping, cancel, retry and priority', async (t) => {
  const repo = testRepo(tempDir(t, 'merges-access-'), { 'a.txt': 'a\n' });
  for (const name of ['slow', 'low', 'high', 'cancel-me', 'fleet/w1', 'b-other'])
    repo.branch(name, { [`${name.replace('/', '-')}.txt`]: `${name}\n` });
  const q = await queueFleet(t, {});
  const { fleet, lead } = q;
  const w1 = (await fleet.register('w1', 'alpha')).token;
  const beta = (await fleet.register('lead-beta', 'beta', 'team-lead')).token;
  const post = (body: unknown, token = lead) => fleet.request('POST', '/merge-queue', { token, body });

  await t.test('bad input: a 400 naming the field, never a 500', async (t) => {
    const cases: [unknown, string, string?][] = [
      [{}, 'branch', 'MERGES_BRANCH_REQUIRED'],
      [{ branch: 'low' }, 'repo', 'MERGES_REPO_REQUIRED'],
      [{ branch: '-x', repo: repo.dir }, 'branch'],
      [{ branch: 'a..b', repo: repo.dir }, 'branch'],
      [{ branch: 'a b', repo: repo.dir }, 'branch'],
      [{ branch: 'low', repo: 'relative/dir' }, 'repo'],
      [{ branch: 'low', repo: '/no/such/dir' }, 'repo', 'MERGES_NOT_A_REPO'],
      [{ branch: 'low', repo: tempDir(t, 'merges-not-repo-') }, 'repo', 'MERGES_NOT_A_REPO'],
      [{ branch: 'nope', repo: repo.dir }, 'branch', 'MERGES_NO_BRANCH'],
      [{ branch: 'low', repo: repo.dir, target: 'nope' }, 'target', 'MERGES_NO_BRANCH'],
      [{ branch: 'main', repo: repo.dir }, 'target', 'MERGES_SAME_BRANCH'],
      [{ branch: 'low', repo: repo.dir, priority: 'high' }, 'priority'],
      [{ branch: 'low', repo: repo.dir, priority: 5000 }, 'priority'],
      [{ branch: 'low', repo: repo.dir, test: 'npm test' }, 'test'],
      [{ branch: 'low', repo: repo.dir, test: [] }, 'test'],
      [{ branch: 'low', repo: repo.dir, test: [7] }, 'test'], // test.0
      [{ branch: 'low', repo: repo.dir, test: [''] }, 'test'],
      [{ branch: 'low', repo: repo.dir, test: ['node', 'a\0b'] }, 'test'], // test.1
      [{ branch: 'low', repo: '/tmp/a\0b' }, 'repo'],
      [{ branch: 'low', repo: `${repo.dir}/a.txt` }, 'repo', 'MERGES_NOT_A_REPO'],
      [{ branch: 'low', repo: repo.dir, priority: 1.5 }, 'priority'],
      [{ branch: 'low', repo: repo.dir, target: 'main\n' }, 'target'],
      [{ handle: 'w1' }, 'handle', 'MERGES_WORKERS_OFF'],
      [{ handle: 'bad handle!' }, 'handle'],
      [[1, 2], 'body'],
    ];
    for (const [body, field, code] of cases) {
      const response = await post(body);
      t.equal(response.status, 400, `${JSON.stringify(body)} → 400 (${JSON.stringify(response.body)})`);
      const named = String(response.body.field ?? response.body.error.split(':')[0]);
      t.ok(named === field || named.startsWith(`${field}.`), `names ${field} (${named})`);
      if (code) t.equal(response.body.code, code);
    }
    for (const path of ['/merge-queue/abc', '/merge-queue?status=bogus', '/merge-queue?limit=0']) {
      const response = await fleet.request('GET', path, { token: lead });
      t.equal(response.status, 400, path);
    }
    const tool = await callTool(fleet, { token: lead } as never, 'merge_enqueue', { branch: 7 });
    t.ok(tool.isError);
    t.match(toolText(tool), /branch: /);
  });

  await t.test('a worker queues its own branch only, and never chooses the test', async (t) => {
    const wrong = await post({ branch: 'low', repo: repo.dir }, w1);
    t.same([wrong.status, wrong.body.code, wrong.body.field], [403, 'MERGES_NOT_YOURS', 'branch']);
    const other = await post({ handle: 'w2' }, w1);
    t.same([other.status, other.body.field], [403, 'handle']);
    const test = await post({ branch: 'fleet/w1', repo: repo.dir, test: ['true'] }, w1);
    t.same([test.status, test.body.code, test.body.field], [403, 'MERGES_TEST_LEAD_ONLY', 'test']);
    const own = await post({ branch: 'fleet/w1', repo: `${repo.dir}/.` }, w1);
    t.equal(own.status, 201, JSON.stringify(own.body));
    t.same([own.body.handle, own.body.repo, own.body.requestedBy], ['w1', repo.dir, 'w1']);
    const [done] = await q.settle([own.body.id]);
    t.equal(done!.status, 'merged');
  });

  await t.test('order, cancel, retry, duplicates and other teams while an entry runs', async (t) => {
    const slow = await q.enqueue({ branch: 'slow', repo: repo.dir, test: SLOW });
    const low = await q.enqueue({ branch: 'low', repo: repo.dir, priority: 0 });
    const high = await q.enqueue({ branch: 'high', repo: repo.dir, priority: 5 });
    const cancelMe = await q.enqueue({ branch: 'cancel-me', repo: repo.dir });
    t.equal((await q.get(slow.id)).status, 'running');

    const twice = await post({ branch: 'low', repo: repo.dir });
    t.same([twice.status, twice.body.code, twice.body.field], [409, 'MERGES_ALREADY_QUEUED', 'branch']);
    t.match(twice.body.error, low.id);
    const betaTwice = await post({ branch: 'low', repo: repo.dir }, beta);
    t.equal(betaTwice.status, 409);
    t.notMatch(JSON.stringify(betaTwice.body), low.id, 'another team is not told the entry');
    for (const [method, path] of [
      ['GET', `/merge-queue/${low.id}`],
      ['DELETE', `/merge-queue/${low.id}`],
      ['POST', `/merge-queue/${low.id}/retry`],
    ] as const) {
      const response = await fleet.request(method, path, { token: beta });
      t.same([response.status, response.body.code], [404, 'MERGES_NOT_FOUND'], `${method} ${path} by beta`);
    }
    const betaList = await fleet.request('GET', '/merge-queue', { token: beta });
    t.equal(betaList.body.count, 0);

    const byWorker = await fleet.request('DELETE', `/merge-queue/${cancelMe.id}`, { token: w1 });
    t.same([byWorker.status, byWorker.body.code], [403, 'MERGES_NOT_YOURS']);
    const running = await fleet.request('DELETE', `/merge-queue/${slow.id}`, { token: lead });
    t.same([running.status, running.body.code], [409, 'MERGES_NOT_CANCELLABLE']);
    const cancelled = await fleet.request('DELETE', `/merge-queue/${cancelMe.id}`, { token: lead });
    t.same([cancelled.status, cancelled.body.status], [200, 'cancelled']);
    const notRetried = await fleet.request('POST', `/merge-queue/${high.id}/retry`, { token: lead });
    t.same([notRetried.status, notRetried.body.code], [409, 'MERGES_NOT_RETRYABLE']);

    const done = await q.settle([slow.id, low.id, high.id]);
    t.same(
      done.map((entry) => entry.status),
      ['merged', 'merged', 'merged'],
    );
    t.ok(Date.parse(done[2]!.startedAt!) <= Date.parse(done[1]!.startedAt!), 'priority 5 ran before priority 0');
    const retried = await fleet.request('POST', `/merge-queue/${cancelMe.id}/retry`, { token: lead });
    t.same([retried.status, retried.body.status], [200, 'queued']);
    const [again] = await q.settle([cancelMe.id]);
    t.equal(again!.status, 'merged');
    t.equal(repo.git('show', 'main:cancel-me.txt'), 'cancel-me\n');
  });
});

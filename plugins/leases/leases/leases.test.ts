/**
 * Leases over HTTP and MCP on a real fleet with real git repositories: acquisition and conflicts,
 * worktrees naming their main tree, the race (one winner of ten), fences, TTL on a fake clock,
 * renewal, release, check, team scoping and what only a lead may do, and bad input as 4xx.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import {
  callTool,
  registerTeam,
  startFleet,
  toolJson,
  type TestFleet,
  type TestLike,
  tempDir,
} from '../../../test/kit/index.js';
import type { LeasesApi } from '../index.js';
import type { FakeClock } from '../../../core/index.js';
import { makeRepo } from './test-repos.js';

const START = Date.UTC(2026, 0, 1);

async function leasesFleet(t: TestLike) {
  const fleet = await startFleet(t, {
    plugins: { auth: true, leases: { testClock: { startAt: START } } },
    config: { server: { rateLimit: { max: 1_000_000 } } },
  });
  const api = fleet.kernel.api<LeasesApi>('leases')!;
  return { fleet, api, clock: api.clock as FakeClock };
}

const post = (fleet: TestFleet, token: string, p: string, body: unknown) => fleet.request('POST', p, { token, body });

t.test('acquire, conflict, shared, same holder, worktree = main tree, release', async (t) => {
  const { fleet } = await leasesFleet(t);
  const { repo, worktree } = makeRepo(tempDir(t, 'leases-repo-'));
  const { lead, workers } = await registerTeam(fleet, 'alpha', ['alice', 'bob']);
  const [alice, bob] = workers as [(typeof workers)[0], (typeof workers)[0]];

  const a = await post(fleet, alice.token, '/leases', { repo: path.join(repo, 'src'), paths: ['src/auth/**'] });
  t.equal(a.status, 201, JSON.stringify(a.body));
  t.equal(a.body.repo, repo, 'a directory inside the repo resolves to its main tree');
  t.equal(a.body.holder, 'alice');
  t.equal(a.body.mode, 'exclusive');
  t.equal(a.body.expiresAt, new Date(START + 300_000).toISOString(), 'default ttl 300 s');

  // Bob, from his worktree, on a file under alice's glob: 409 naming alice, the lease, the paths, the expiry.
  const b = await post(fleet, bob.token, '/leases', { repo: worktree, paths: ['src/auth/login.ts', 'docs'] });
  t.equal(b.status, 409);
  t.equal(b.body.code, 'LEASES_CONFLICT');
  t.equal(b.body.holder, 'alice');
  t.equal(b.body.leaseId, a.body.id);
  t.same(b.body.paths, ['src/auth/login.ts']);
  t.equal(b.body.expiresAt, a.body.expiresAt);
  t.match(b.body.error, /alice/);

  // An absolute path inside the worktree is made relative; docs does not overlap.
  const docs = await post(fleet, bob.token, '/leases', { repo: worktree, paths: [path.join(worktree, 'docs')] });
  t.equal(docs.status, 201);
  t.same(docs.body.paths, ['docs']);
  t.equal(docs.body.repo, repo, 'the worktree names the same repo');
  t.ok(docs.body.fence > a.body.fence, 'fences grow with every grant');

  // The same holder never conflicts with itself.
  const again = await post(fleet, alice.token, '/leases', { repo, paths: ['src/auth/login.ts'] });
  t.equal(again.status, 201);

  // Shared with shared: no conflict; exclusive against shared: conflict.
  const s1 = await post(fleet, alice.token, '/leases', { repo, paths: ['README.md'], mode: 'shared' });
  const s2 = await post(fleet, bob.token, '/leases', { repo, paths: ['README.md'], mode: 'shared' });
  t.equal(s1.status, 201);
  t.equal(s2.status, 201);
  const x = await post(fleet, lead.token, '/leases', { repo, paths: ['*.md'] });
  t.equal(x.status, 409);

  // check: bob may not write src/auth/x.ts; may write src/other.ts; README.md (both shared) is fine for him.
  const check = await post(fleet, bob.token, '/leases/check', {
    repo: worktree,
    paths: ['src/auth/x.ts', 'src/other.ts', 'README.md'],
  });
  t.equal(check.status, 200);
  t.equal(check.body.allowed, false);
  t.same(
    check.body.conflicts.map((c: { path: string; holder: string; pattern: string }) => [c.path, c.holder, c.pattern]),
    [['src/auth/x.ts', 'alice', 'src/auth/**']],
  );
  // A glob asked about is compared with every lease.
  const globCheck = await post(fleet, bob.token, '/leases/check', { repo, paths: ['src/*/x.ts', 'lib/**'] });
  t.same(
    globCheck.body.conflicts.map((c: { path: string; holder: string }) => [c.path, c.holder]),
    [['src/*/x.ts', 'alice']],
  );
  // The lead holds nothing shared on README.md: alice's and bob's shared leases forbid it to him.
  const leadCheck = await post(fleet, lead.token, '/leases/check', { repo, paths: ['README.md'] });
  t.equal(leadCheck.body.conflicts.length, 2);

  // Release: not bob's (403); alice's own; then bob gets it.
  const del = await fleet.request('DELETE', `/leases/${a.body.id}`, { token: bob.token });
  t.equal(del.status, 403);
  t.equal(del.body.code, 'LEASES_NOT_YOURS');
  t.equal((await fleet.request('DELETE', `/leases/${a.body.id}`, { token: alice.token })).status, 200);
  t.equal((await fleet.request('DELETE', `/leases/${again.body.id}`, { token: lead.token })).status, 200, 'a lead');
  const now = await post(fleet, bob.token, '/leases', { repo, paths: ['src/auth/login.ts'] });
  t.equal(now.status, 201);

  const list = await fleet.request('GET', `/leases?repo=${encodeURIComponent(worktree)}&holder=bob`, {
    token: alice.token,
  });
  t.equal(list.status, 200);
  t.same(
    list.body.leases.map((l: { holder: string }) => l.holder),
    ['bob', 'bob', 'bob'],
  );
});

t.test('ten racing overlapping exclusive acquisitions: exactly one 201', async (t) => {
  const { fleet } = await leasesFleet(t);
  const { repo } = makeRepo(tempDir(t, 'leases-repo-'));
  const handles = Array.from({ length: 10 }, (_, i) => `racer${i}`);
  const { workers } = await registerTeam(fleet, 'alpha', handles);
  const answers = await Promise.all(
    workers.map((w, i) => post(fleet, w.token, '/leases', { repo, paths: [i % 2 ? 'src/**' : 'src/a.ts'] })),
  );
  const statuses = answers.map((a) => a.status).sort();
  t.same(statuses, [201, ...Array(9).fill(409)], JSON.stringify(answers.map((a) => a.body.code)));
});

t.test('TTL on a fake clock: an expired lease never counts; renew; the sweep expires with an event', async (t) => {
  const { fleet, api, clock } = await leasesFleet(t);
  const { repo } = makeRepo(tempDir(t, 'leases-repo-'));
  const { workers } = await registerTeam(fleet, 'alpha', ['alice', 'bob']);
  const [alice, bob] = workers as [(typeof workers)[0], (typeof workers)[0]];
  const a = await post(fleet, alice.token, '/leases', { repo, paths: ['src'], ttlSeconds: 60 });
  t.equal(a.status, 201);
  clock.advance(30_000);
  const renewed = await post(fleet, alice.token, `/leases/${a.body.id}/renew`, { ttlSeconds: 60 });
  t.equal(renewed.status, 200);
  t.equal(renewed.body.expiresAt, new Date(START + 90_000).toISOString());
  clock.advance(59_000);
  t.equal((await post(fleet, bob.token, '/leases', { repo, paths: ['src/a.ts'] })).status, 409, 'still live');
  t.same(await api.leases.blockers('alpha', 'bob', repo, ['src/a.ts']).then((b) => b.length), 1);
  clock.advance(1_000);
  // Expired at exactly its expiry, before any sweep: never counted again.
  t.same(await api.leases.blockers('alpha', 'bob', repo, ['src/a.ts']), []);
  t.equal((await fleet.request('GET', `/leases/${a.body.id}`, { token: alice.token })).status, 404);
  const b = await post(fleet, bob.token, '/leases', { repo, paths: ['src/a.ts'] });
  t.equal(b.status, 201);
  t.ok(b.body.fence > a.body.fence);
  const swept = await api.leases.sweep();
  t.equal(swept.expired, 1);
  const events = fleet.kernel.spine.read('team.alpha.leases', 0, 100).events.map((e) => e.type);
  t.ok(events.includes('lease:expired'), events.join(','));
  t.ok(events.includes('lease:conflict'));
  // Too long a ttl: 400 naming it.
  const long = await post(fleet, alice.token, '/leases', { repo, paths: ['x'], ttlSeconds: 86_401 });
  t.equal(long.status, 400);
  t.equal(long.body.field, 'ttlSeconds');
});

t.test('teams: another team’s lease is 404 and its conflict names no one; a taskId is lead-only', async (t) => {
  const { fleet } = await leasesFleet(t);
  const { repo } = makeRepo(tempDir(t, 'leases-repo-'));
  const alpha = await registerTeam(fleet, 'alpha', ['alice']);
  const beta = await registerTeam(fleet, 'beta', ['bruno']);
  const a = await post(fleet, alpha.workers[0]!.token, '/leases', { repo, paths: ['src/secret-dir/**'] });
  t.equal(a.status, 201);
  t.equal((await fleet.request('GET', `/leases/${a.body.id}`, { token: beta.lead.token })).status, 404);
  t.equal((await fleet.request('DELETE', `/leases/${a.body.id}`, { token: beta.lead.token })).status, 404);
  const c = await post(fleet, beta.workers[0]!.token, '/leases', { repo, paths: ['src'] });
  t.equal(c.status, 409, 'files are the repository’s: teams conflict');
  t.equal(c.body.holder, 'another team');
  t.equal(c.body.expiresAt, a.body.expiresAt);
  const text = JSON.stringify(c.body);
  for (const secret of ['alice', 'alpha', 'secret-dir', a.body.id]) t.notOk(text.includes(secret), `no ${secret}`);
  const check = await post(fleet, beta.workers[0]!.token, '/leases/check', { repo, paths: ['src/secret-dir/x'] });
  t.equal(check.body.allowed, false);
  const checkText = JSON.stringify(check.body.conflicts);
  for (const secret of ['alice', 'alpha', 'secret-dir/**', a.body.id]) t.notOk(checkText.includes(secret));
  const listed = await fleet.request('GET', '/leases', { token: beta.lead.token });
  t.equal(listed.body.count, 0);
  const task = await post(fleet, alpha.workers[0]!.token, '/leases', {
    repo,
    paths: ['docs'],
    taskId: '00000000-0000-4000-8000-000000000000',
  });
  t.equal(task.status, 403);
  t.equal(task.body.code, 'LEASES_TASK_LEAD_ONLY');
});

t.test('bad input: 4xx with a code and the field, never 500', async (t) => {
  const { fleet } = await leasesFleet(t);
  const { repo } = makeRepo(tempDir(t, 'leases-repo-'));
  const { workers } = await registerTeam(fleet, 'alpha', ['alice']);
  const alice = workers[0]!;
  const outside = path.join(path.dirname(repo), 'not-a-repo');
  writeFileSync(outside, 'x');
  const cases: [body: Record<string, unknown>, field: string][] = [
    [{ repo: path.dirname(repo), paths: ['a'] }, 'repo'],
    [{ repo: 'relative/dir', paths: ['a'] }, 'repo'],
    [{ repo, paths: [] }, 'paths'],
    [{ repo, paths: ['../escape'] }, 'paths[0]'],
    [{ repo, paths: ['ok', 'src/../../x'] }, 'paths[1]'],
    [{ repo, paths: ['!src'] }, 'paths[0]'],
    [{ repo, paths: [outside] }, 'paths[0]'],
    [{ repo, paths: ['a'], mode: 'both' }, 'mode'],
    [{ repo, paths: ['a'], ttlSeconds: 0 }, 'ttlSeconds'],
    [{ repo, paths: 'src' }, 'paths'],
    [{ paths: ['a'] }, 'repo'],
    [{ repo: `${repo}\0x`, paths: ['a'] }, 'repo'],
    [{ repo, paths: ['a\0b'] }, 'paths.0'], // the kernel refuses NUL in any string first
    [{ repo, paths: [`${repo}/a\0b`] }, 'paths.0'],
  ];
  for (const [body, field] of cases) {
    const r = await post(fleet, alice.token, '/leases', body);
    t.equal(r.status, 400, `${JSON.stringify(body)} → ${JSON.stringify(r.body)}`);
    t.equal(r.body.field, field, JSON.stringify(r.body));
  }
  t.equal((await fleet.request('GET', '/leases/not-a-uuid', { token: alice.token })).status, 400);
  t.equal((await fleet.request('GET', '/leases?repo=%2Fnowhere', { token: alice.token })).status, 400);
});

t.test('tools: lease_acquire, lease_list, lease_check, lease_renew, lease_release', async (t) => {
  const { fleet } = await leasesFleet(t);
  const { repo } = makeRepo(tempDir(t, 'leases-repo-'));
  const { workers } = await registerTeam(fleet, 'alpha', ['alice', 'bob']);
  const [alice, bob] = workers as [(typeof workers)[0], (typeof workers)[0]];
  const got = await callTool(fleet, alice, 'lease_acquire', { repo, paths: ['src/**'], ttl_seconds: 120 });
  t.notOk(got.isError);
  const lease = toolJson(got);
  t.equal(lease.ttlSeconds, 120);
  const refused = await callTool(fleet, bob, 'lease_acquire', { repo, paths: ['src/a.ts'] });
  t.ok(refused.isError);
  t.match(refused.content[0]!.text, /^LEASES_CONFLICT/);
  t.equal(toolJson(await callTool(fleet, bob, 'lease_check', { repo, paths: ['src/a.ts'] })).allowed, false);
  t.equal(toolJson(await callTool(fleet, bob, 'lease_list', {})).count, 1);
  t.notOk((await callTool(fleet, alice, 'lease_renew', { lease_id: lease.id })).isError);
  t.ok((await callTool(fleet, bob, 'lease_release', { lease_id: lease.id })).isError);
  t.notOk((await callTool(fleet, alice, 'lease_release', { lease_id: lease.id })).isError);
  t.equal(toolJson(await callTool(fleet, bob, 'lease_check', { repo, paths: ['src/a.ts'] })).allowed, true);
});

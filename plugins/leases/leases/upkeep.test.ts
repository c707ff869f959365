/**
 * Lease upkeep with real (fake-agent) workers in a private tmux: the sweep on the plugin's fake clock
 * renews a live worker's leases and lets others' expire (lease:expired); dismissing a worker releases
 * its leases at once (lease:released by `dismissed`).
 */
import t from 'tap';
import { agentUid, fakeAgentWorkers, registerTeam, startFleet, waitFor, tempDir } from '../../../test/kit/index.js';
import type { LeasesApi } from '../index.js';
import type { FakeClock } from '../../../core/index.js';
import { makeRepo } from './test-repos.js';

const START = Date.UTC(2026, 0, 1);
const iso = (ms: number) => new Date(START + ms).toISOString();

t.test('live workers renewed, others expire, dismissed workers released', async (t) => {
  const fleet = await startFleet(t, {
    plugins: {
      auth: true,
      mail: true,
      workers: fakeAgentWorkers({ max: 4 }),
      leases: { testClock: { startAt: START }, renewEverySeconds: 30 },
    },
    config: { server: { rateLimit: { max: 1_000_000 } } },
  });
  const api = fleet.kernel.api<LeasesApi>('leases')!;
  const clock = api.clock as FakeClock;
  const { repo } = makeRepo(tempDir(t, 'leases-repo-'));
  const { lead } = await registerTeam(fleet, 'alpha', ['ghost']);
  const spawned = await fleet.request('POST', '/orchestrate/spawn', {
    token: lead.token,
    body: { handle: 'w1', workingDir: fleet.dataDir },
  });
  t.equal(spawned.status, 201, JSON.stringify(spawned.body));
  await waitFor('w1 live', () => api.workers()!.isLive('alpha', 'w1'));
  const who = (handle: string) => ({
    uid: agentUid('alpha', handle),
    handle,
    teamName: 'alpha',
    agentType: 'worker' as const,
    role: 'worker' as const,
  });
  const w1 = await api.leases.acquire(who('w1'), { repo, paths: ['src'], mode: 'exclusive', ttlSeconds: 60 });
  const ghost = await api.leases.acquire(who('ghost'), { repo, paths: ['docs'], mode: 'exclusive', ttlSeconds: 60 });
  t.equal(w1.expiresAt, iso(60_000));

  clock.advance(30_000);
  await waitFor('w1 renewed', async () => (await api.leases.get('alpha', w1.id))?.expiresAt === iso(90_000));
  t.equal((await api.leases.get('alpha', ghost.id))?.expiresAt, iso(60_000), 'not a worker: not renewed');

  clock.advance(30_000);
  await waitFor('w1 renewed again', async () => (await api.leases.get('alpha', w1.id))?.expiresAt === iso(120_000));
  await waitFor('ghost expired and swept', () =>
    fleet.kernel.spine
      .read('team.alpha.leases', 0, 100)
      .events.some((e) => e.type === 'lease:expired' && (e.data as { lease: { id: string } }).lease.id === ghost.id),
  );
  t.equal(await api.leases.get('alpha', ghost.id), undefined);

  const dismissed = await fleet.request('POST', '/orchestrate/dismiss/w1', { token: lead.token });
  t.equal(dismissed.status, 200, JSON.stringify(dismissed.body));
  await waitFor('w1 released', async () => (await api.leases.get('alpha', w1.id)) === undefined);
  const released = fleet.kernel.spine.read('team.alpha.leases', 0, 100).events.find((e) => e.type === 'lease:released');
  t.match(released?.data, { by: 'dismissed', lease: { id: w1.id, holder: 'w1' } });
});

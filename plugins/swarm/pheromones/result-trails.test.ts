import t from 'tap';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startWorkerFleet, tempDir, waitFor } from '../../../test/kit/index.js';

// A real fleet whose worker is the fake agent with a BASH directive (bash-agent.fixture.mjs): the workers
// plugin's transcript batches carry each call's id, name and input and the tool results, so a failing
// command leaves an `error` trail and a passing test command a `success` trail; a passing build and a
// refused command leave none.

const AGENT = fileURLToPath(new URL('./bash-agent.fixture.mjs', import.meta.url));

t.test('a failing command leaves an error trail, a passing test command a success trail', async (t) => {
  const w = await startWorkerFleet(t, {
    plugins: { swarm: true },
    workers: { claude: { command: [process.execPath, AGENT] } },
  });
  const repo = tempDir(t);
  mkdirSync(join(repo, '.git'));
  mkdirSync(join(repo, 'test'));
  const swarm = await w.fleet.request('POST', '/swarms', { token: w.lead, body: { name: 'runners' } });
  t.equal(swarm.status, 200, JSON.stringify(swarm.body));
  const swarmId = swarm.body.id as string;
  const spawned = await w.spawn('w1', { workingDir: repo, swarmId });
  t.ok(spawned.status < 300, JSON.stringify(spawned.body));
  await w.waitWorker('w1', (x) => x.state === 'idle' || x.state === 'ready', 'up');
  const sent = await w.fleet.request('POST', '/orchestrate/send/w1', {
    token: w.lead,
    body: {
      message: [
        'BASH 1 npm run build',
        'BASH 0 npx tap test/a.test.ts',
        'BASH 0 ls -la',
        'DENY Bash {"command":"rm -rf build"}',
      ].join('\n'),
    },
  });
  t.equal(sent.status, 200, JSON.stringify(sent.body));
  const trails = async () =>
    ((await w.fleet.request('GET', `/pheromones/${swarmId}`, { token: w.lead })).body.trails ?? []) as {
      resourceType: string;
      resourceId: string;
      trailType: string;
      depositorHandle: string;
      metadata: unknown;
    }[];
  const error = await waitFor('the error trail', async () => (await trails()).find((x) => x.trailType === 'error'));
  t.same(
    [error.resourceType, error.resourceId, error.depositorHandle],
    ['custom', 'command:npm', 'w1'],
    'the failing build, on its program',
  );
  t.same(error.metadata, { auto: true, tool: 'Bash' });
  const success = await waitFor('the success trail', async () =>
    (await trails()).find((x) => x.trailType === 'success'),
  );
  t.same([success.resourceType, success.resourceId], ['file', 'test/a.test.ts'], 'the passing test, on its file');
  // The turn has ended (the fake agent acked it) and a flush has run: what is there is all there is.
  await w.waitWorker('w1', (x) => x.state === 'idle', 'idle after the turn');
  await new Promise((resolve) => setTimeout(resolve, 1200));
  t.same(
    (await trails()).map((x) => `${x.trailType} ${x.resourceId}`).sort(),
    ['error command:npm', 'success test/a.test.ts'],
    'ls left nothing; the refused rm left no error',
  );
});

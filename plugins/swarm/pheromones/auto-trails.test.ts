import t from 'tap';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { migratedDatabase, type TestLike, tempDir, testLogger } from '../../../test/kit/index.js';
import { pheromonesMigration } from '../migrations/0004-pheromones.js';
import { AutoTrails, type TranscriptBatchLike } from './auto-trails.js';
import { PheromoneService } from './pheromone-service.js';
import { commandResource, isTestCommand } from './tool-trails.js';

// The listener fed batches shaped as the workers plugin gives them (tool entries with their paths,
// and, when the workers plugin passes them, tool ids, inputs and results), writing to a real database.
// The fake agent end to end is in pheromones-fleet.test.ts.

async function setup(t: TestLike) {
  const { db, dialect } = await migratedDatabase(t, [pheromonesMigration]);
  const service = new PheromoneService({ db, dialect, log: testLogger(), emit: (() => undefined) as never });
  const repo = tempDir(t);
  mkdirSync(join(repo, '.git'));
  mkdirSync(join(repo, 'src'));
  const places: Record<string, { cwd: string; worktree?: string | null }> = {
    w1: { cwd: join(repo, 'src') },
    w2: { cwd: '/elsewhere', worktree: repo },
  };
  const swarms: Record<string, string> = { w1: 'swarm-1' };
  const trails = new AutoTrails({
    service,
    log: testLogger(),
    placeOf: async (_team, handle) => places[handle],
    swarmOf: async (_team, handle) => swarms[handle],
    flushMs: 10_000,
  });
  t.teardown(() => trails.stop());
  return { service, repo, trails };
}

const tool = (text: string, paths: string[] = [], extra: Record<string, unknown> = {}) => ({
  kind: 'tool',
  text,
  paths,
  offset: 0,
  ...extra,
});

t.test('reads touch, edits modify, paths relative to the repository; outside it left out', async (t) => {
  const { service, repo, trails } = await setup(t);
  const batch: TranscriptBatchLike = {
    teamName: 'alpha',
    handle: 'w1',
    entries: [
      { kind: 'text', text: 'thinking', paths: [] },
      tool(`Read ${repo}/src/a.ts`, [join(repo, 'src/a.ts')]),
      tool('Edit b.ts', ['b.ts']),
      tool('Write /tmp/scratch.txt', ['/tmp/scratch.txt']),
      tool(`Grep ${repo}/src`, [join(repo, 'src')]),
      tool(`Edit ${repo}/../other/x.ts`, [join(repo, '../other/x.ts')]),
      tool('mcp__fleet__team_tasks {}', []),
    ],
  };
  trails.listener(batch);
  trails.listener({ teamName: 'alpha', handle: 'nobody', entries: [tool('Edit /x', ['/x'])] });
  await trails.flush();
  const { trails: written } = await service.query('alpha', 'swarm-1', { limit: 50 });
  t.same(written.map((x) => [x.resourceId, x.trailType, x.depositorHandle]).sort(), [
    ['src', 'touch', 'w1'],
    ['src/a.ts', 'touch', 'w1'],
    ['src/b.ts', 'modify', 'w1'],
  ]);
  t.same(written.find((x) => x.trailType === 'modify')!.metadata, { auto: true, tool: 'Edit' });
  t.equal(written.find((x) => x.resourceId === 'src/a.ts')!.depositedIntensity, 0.5, 'a read counts for less');
});

t.test('a worker outside swarms writes in the team-wide space; one flush writes a trail once', async (t) => {
  const { service, repo, trails } = await setup(t);
  for (let i = 0; i < 3; i++)
    trails.listener({ teamName: 'alpha', handle: 'w2', entries: [tool('Edit', [join(repo, 'src/c.ts')])] });
  await trails.flush();
  const r = await service.query('alpha', 'team', { limit: 10 });
  t.same(
    r.trails.map((x) => [x.resourceId, x.trailType]),
    [['src/c.ts', 'modify']],
  );
  t.equal((await service.query('beta', 'team', { limit: 10 })).count, 0, 'another team sees nothing');
});

t.test('a failing command leaves error, a passing test command success, other commands nothing', async (t) => {
  const { service, repo, trails } = await setup(t);
  const bash = (id: string, command: string) =>
    tool(`Bash ${JSON.stringify({ command })}`, [], { toolUseId: id, name: 'Bash', input: { command } });
  trails.listener({
    teamName: 'alpha',
    handle: 'w1',
    entries: [
      bash('t1', 'npx tap test/a.test.ts'),
      bash('t2', 'npm run build'),
      bash('t3', 'ls -la'),
      bash('t4', 'npm test'),
    ],
  });
  // Results come in a later read of the log.
  trails.listener({
    teamName: 'alpha',
    handle: 'w1',
    entries: [],
    toolResults: [
      { toolUseId: 't1', isError: false },
      { toolUseId: 't2', isError: true },
      { toolUseId: 't3', isError: false },
      { toolUseId: 't4', isError: false },
      { toolUseId: 'unknown', isError: true },
    ],
  });
  await trails.flush();
  const r = await service.query('alpha', 'swarm-1', { limit: 10 });
  t.same(r.trails.map((x) => [x.resourceType, x.resourceId, x.trailType]).sort(), [
    ['custom', 'command:npm', 'error'],
    ['custom', 'command:npm', 'success'],
    ['file', 'src/test/a.test.ts', 'success'],
  ]);
  void repo;
});

t.test('the listener returns at once and bounds its queue', async (t) => {
  const { trails } = await setup(t);
  const started = process.hrtime.bigint();
  for (let i = 0; i < 6000; i++) trails.listener({ teamName: 'alpha', handle: 'w1', entries: [tool('Read', ['/x'])] });
  t.ok(process.hrtime.bigint() - started < 2_000_000_000n, 'queued without writing');
  t.equal(trails.dropped, 1000, 'beyond 5,000 waiting batches, counted and dropped');
  trails.listener({ teamName: 'alpha', handle: 'w1', entries: [{ kind: 'text', text: 'x', paths: [] }] });
});

t.test('test commands and their targets', async (t) => {
  for (const yes of ['npm test', 'npx tap a.ts', 'pytest -q', 'go test ./...', 'cargo test', 'cd x && npm run test'])
    t.ok(isTestCommand(yes), yes);
  for (const no of ['npm run build', 'ls', 'echo test', 'git status']) t.notOk(isTestCommand(no), no);
  t.same(commandResource('npx tap plugins/a.test.ts --reporter=tap'), {
    type: 'file',
    id: 'plugins/a.test.ts',
    path: 'plugins/a.test.ts',
  });
  t.same(commandResource('FOO=1 make check'), { type: 'custom', id: 'command:make' });
});

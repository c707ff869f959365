/**
 * Exactly once across kill -9: a real server (`fleet up`, a child process) with an accelerated
 * clock (one simulated minute every MS_PER_MINUTE real ms) runs three every-minute schedules that
 * create a task naming their slot, one per catch-up policy. It is killed with SIGKILL at random
 * moments and started again on the same data until 1,000 slots have passed. Then, read from the
 * database itself: every slot of every schedule has exactly one run; no task was created twice for
 * a slot; every delivered run's task exists; a task exists only for a run that says delivered or
 * failed (interrupted); runs cut off mid-dispatch say they were interrupted.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import {
  freePort,
  queryFleetDatabase,
  requestJson,
  startServerProcess,
  type ServerProcess,
  tempDir,
  testDatabase,
  testStorage,
} from '../../../test/kit/index.js';

const SLOTS = Number(process.env.SCHEDULER_KILL9_SLOTS ?? 1000);
const MS_PER_MINUTE = 60;
const MINUTE = 60_000;

// A minute of simulated slots per 60 ms, then the drain at the machine's speed: longer than the default 180 s.
t.setTimeout(15 * 60_000);

t.test(`kill -9 at random moments over ${SLOTS} slots: 0 duplicate runs, 0 silent misses`, async (t) => {
  const dir = tempDir(t, 'fleet-sched-kill9-');
  const dataDir = join(dir, 'data');
  const port = await freePort();
  const storage = testStorage() === 'postgres' ? { driver: 'postgres', url: await testDatabase(t) } : undefined;
  const startAt = Date.UTC(2026, 0, 1, 0, 0, 30);
  const anchor = Date.now();
  const config = {
    server: { port, rateLimit: { max: 1_000_000 } },
    ...(storage ? { storage } : {}),
    plugins: {
      auth: true,
      mail: true,
      tasks: true,
      scheduler: {
        tickMs: 10,
        graceMs: 2 * MINUTE,
        staggerMs: 15_000,
        testClock: { startAt, anchor, msPerMinute: MS_PER_MINUTE },
      },
    },
  };
  const configFile = join(dir, 'fleet.config.ts');
  writeFileSync(configFile, `export default ${JSON.stringify(config, null, 2)};\n`);
  const adminKey = randomBytes(24).toString('hex');
  const env = { FLEET_DATA_DIR: dataDir, FLEET_ADMIN_KEY: adminKey };
  const simulated = () => Math.floor(startAt + (Date.now() - anchor) * (MINUTE / MS_PER_MINUTE));

  let server: ServerProcess = await startServerProcess(t, { configFile, cwd: dir, port, env });
  const call = (method: string, path: string, token: string, body?: unknown) =>
    requestJson(server.url, method, path, { token, body });
  const lead = (await call('POST', '/auth', adminKey, { handle: 'lead', teamName: 'alpha', agentType: 'team-lead' }))
    .body.token as string;
  // One schedule per catch-up policy.
  const policies = { L: 'latest_once', A: { all: 1000 }, S: 'skip' } as const;
  const ids: Record<string, string> = {};
  const firsts: Record<string, number> = {};
  for (const [letter, catchUp] of Object.entries(policies)) {
    const created = await call('POST', '/scheduler/schedules', lead, {
      name: `every-minute-${letter}`,
      cron: '* * * * *',
      catchUp,
      // A queues behind a run still dispatching (a slow moment of the machine), so every slot of it runs.
      ...(letter === 'A' ? { overlap: { max: 1, policy: 'queue' } } : {}),
      action: { kind: 'task', subject: `${letter} {{slot}}` },
    });
    t.equal(created.status, 201, `schedule ${letter} created`);
    ids[letter] = created.body.id;
    // Its first slot: the first minute after it was made.
    firsts[letter] = Math.floor(Date.parse(created.body.schedule.createdAt) / MINUTE) * MINUTE + MINUTE;
  }
  const last = Math.max(...Object.values(firsts)) + (SLOTS - 1) * MINUTE;

  let kills = 0;
  while (simulated() < last + 3 * MINUTE) {
    await new Promise((resolve) => setTimeout(resolve, 500 + Math.random() * 3_000));
    if (simulated() >= last + 3 * MINUTE) break;
    server.child.kill('SIGKILL');
    await server.exited;
    kills++;
    server = await startServerProcess(t, { configFile, cwd: dir, port, env });
  }
  t.ok(kills >= 2, `killed ${kills} times`);
  // Wait until no run of the window is still on its way (slots after it keep firing; they are not counted).
  // The all:1000 schedule's backlog after the last kill drains one run at a time (overlap queue) at the
  // machine's speed, which on a loaded machine can be slower than a simulated minute: wait while it
  // moves, and fail only when nothing settled for a whole minute (a stuck run).
  // Runs of the window not yet ended, plus the schedules whose window slots are not all written yet (just
  // after a restart the missed slots' runs do not exist until the first pass writes them).
  const unsettled = async () =>
    Number(
      (
        await queryFleetDatabase(
          storage ?? { driver: 'sqlite' },
          dataDir,
          `SELECT (SELECT COUNT(*) FROM schedule_runs WHERE slot <= ${last} AND status IN ('waiting', 'dispatching'))` +
            ` + (SELECT COUNT(*) FROM schedules WHERE covered_until < ${last}) AS n`,
        )
      )[0]!.n,
    );
  const drainStarted = Date.now();
  let seen = await unsettled();
  let movedAt = Date.now();
  await (async () => {
    for (;;) {
      const left = await unsettled();
      if (left === 0) return;
      if (left < seen) [seen, movedAt] = [left, Date.now()];
      if (Date.now() - movedAt > 60_000) throw new Error(`no run of the window settled for 60 s (${left} left)`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  })().catch(async (error: Error) => {
    const stuck = await queryFleetDatabase(
      storage ?? { driver: 'sqlite' },
      dataDir,
      `SELECT schedule_name, status, COUNT(*) AS n, MIN(slot) AS first, MIN(not_before) AS nb FROM schedule_runs ` +
        `WHERE slot <= ${last} AND status IN ('waiting', 'dispatching') GROUP BY schedule_name, status`,
    );
    const busy = await queryFleetDatabase(
      storage ?? { driver: 'sqlite' },
      dataDir,
      `SELECT schedule_name, status, slot, outcome, reason, started_at FROM schedule_runs ` +
        `WHERE status IN ('dispatching', 'active') ORDER BY slot LIMIT 10`,
    );
    throw new Error(
      `${error.message}: ${JSON.stringify(stuck)} busy ${JSON.stringify(busy)} (last ${last}, now ${simulated()})\n` +
        server.output().slice(-3000),
    );
  });
  t.comment(`the window settled ${Date.now() - drainStarted} ms after the last kill`);
  server.child.kill('SIGTERM');
  await server.exited;

  const where = storage ?? { driver: 'sqlite' };
  const runs = await queryFleetDatabase(
    where,
    dataDir,
    `SELECT schedule_id, slot, status, outcome, reason, evidence FROM schedule_runs WHERE slot <= ${last}`,
  );
  const tasks = await queryFleetDatabase(where, dataDir, `SELECT id, subject FROM tasks WHERE team_name = 'alpha'`);
  const taskIds = new Set(tasks.map((task) => String(task.id)));
  const subjects = new Map<string, number>();
  for (const task of tasks) subjects.set(String(task.subject), (subjects.get(String(task.subject)) ?? 0) + 1);
  t.same(
    [...subjects].filter(([, count]) => count > 1),
    [],
    '0 duplicate dispatches: no slot created its task twice',
  );

  const tally: Record<string, number> = {};
  for (const [letter, id] of Object.entries(ids)) {
    const mine = runs.filter((run) => run.schedule_id === id);
    const slots = mine.map((run) => Number(run.slot)).sort((a, b) => a - b);
    const count = (last - firsts[letter]!) / MINUTE + 1;
    const expected = Array.from({ length: count }, (_, i) => firsts[letter]! + i * MINUTE);
    t.ok(count >= SLOTS, `${letter}: ${count} slots in the window`);
    t.equal(slots.length, count, `${letter}: ${count} runs, one per slot`);
    t.same(slots, expected, `${letter}: no slot without its run (0 silent misses)`);
    let bad = 0;
    for (const run of mine) {
      const outcome = String(run.outcome);
      tally[`${letter}:${outcome}`] = (tally[`${letter}:${outcome}`] ?? 0) + 1;
      const subject = `${letter} ${new Date(Number(run.slot)).toISOString()}`;
      const made = subjects.get(subject) ?? 0;
      const evidence = run.evidence ? JSON.parse(run.evidence as string) : {};
      const taskId = evidence.dispatches?.[0]?.evidence?.taskId;
      if (run.status !== 'done') bad++;
      else if (outcome === 'delivered' && (!taskId || !taskIds.has(String(taskId)) || made !== 1)) bad++;
      else if (outcome === 'skipped' && made !== 0) bad++;
      else if (outcome === 'failed' && !/^interrupted/.test(String(run.reason))) bad++;
      else if (!['delivered', 'skipped', 'failed'].includes(outcome)) bad++;
    }
    t.equal(bad, 0, `${letter}: every run's outcome agrees with the tasks that exist`);
  }
  // A task whose slot's run is skipped or missing would be a dispatch nobody recorded.
  const recorded = new Set(
    runs
      .filter((run) => run.outcome === 'delivered' || run.outcome === 'failed')
      .map((run) => {
        const letter = Object.entries(ids).find(([, id]) => id === run.schedule_id)![0];
        return `${letter} ${new Date(Number(run.slot)).toISOString()}`;
      }),
  );
  const inWindow = tasks.filter((task) => Date.parse(String(task.subject).slice(2)) <= last);
  t.same(
    inWindow.filter((task) => !recorded.has(String(task.subject))).map((task) => task.subject),
    [],
    'no task without a run that says delivered or interrupted',
  );
  const unexplained = runs.filter((run) => run.outcome === 'skipped' && !run.reason);
  t.same(unexplained, [], 'every skipped run says why');
  const aSkips = runs.filter((run) => run.schedule_id === ids.A && run.outcome === 'skipped').map((run) => run.reason);
  t.ok(aSkips.length <= SLOTS * 0.02, `all:1000 with overlap queue: (almost) no slot skipped (${aSkips.length})`);
  if (aSkips.length > 0) t.comment(`A skipped: ${JSON.stringify([...new Set(aSkips)])}`);
  t.comment(`kills: ${kills}; outcomes: ${JSON.stringify(tally)}`);
});

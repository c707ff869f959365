/**
 * The audit loop with real child processes (node -e ... as argument vectors), a real database of the
 * run's engine, and the real tasks plugin of a running fleet (failing checks open tasks there; the
 * loop waits until they are resolved): quick rounds, the loop until verified, one task per failing
 * check, stop (process group killed, SIGKILL for one that ignores SIGTERM), timeouts, programs that
 * do not exist, output paging by absolute line numbers with a bound, dry runs, recovery and teams.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import type { TasksApi } from '../../tasks/index.js';
import {
  migratedDatabase,
  registerTeam,
  startCoordination,
  tempDir,
  testLogger,
  waitFor,
} from '../../../test/kit/index.js';
import { systemClock } from '../clock.js';
import { auditMigration } from '../migrations/0005-audit.js';
import { AuditLoop } from './audit-loop.js';
import type { AuditCheck, AuditOptions } from './options.js';

const node = (script: string, ...args: string[]) => [process.execPath, '-e', script, ...args];
const PASS: AuditCheck = { name: 'lint', command: node('console.log("lint ok")'), timeoutSeconds: 30 };
const FAIL: AuditCheck = {
  name: 'types',
  command: node('console.log("checking"); console.error("error TS2322"); process.exit(3)'),
  timeoutSeconds: 30,
};

async function setup(t: Test, options: Partial<AuditOptions> = {}, withTasks = true) {
  const fleet = await startCoordination(t);
  await registerTeam(fleet, 'alpha', ['ann']);
  const tasks = fleet.kernel.api<TasksApi>('tasks')!;
  const { db } = await migratedDatabase(t, [auditMigration]);
  const events: { type: string; team: string; data: Record<string, unknown> }[] = [];
  const audit = new AuditLoop({
    db,
    clock: systemClock,
    log: testLogger(),
    emit: ((type: string, team: string, data: Record<string, unknown>) => {
      events.push({ type, team, data });
      return { seq: events.length, topic: '', type, team, data, ts: Date.now() };
    }) as never,
    options: () =>
      ({ checks: [PASS, FAIL], pollSeconds: 0.05, graceSeconds: 0.3, tailLines: 40, ...options }) as AuditOptions,
    tasks: () => (withTasks ? tasks : undefined),
    cwd: tempDir(t),
  });
  t.teardown(() => audit.shutdown());
  return { audit, tasks, db, events };
}

const openTasks = async (tasks: TasksApi) =>
  (await tasks.tasks.list('alpha', { limit: 100, offset: 0 })).filter((task) => task.status !== 'resolved');

t.test('quick: one round; the failing check opens one task with its output fenced; again reuses it', async (t) => {
  const { audit, tasks, events } = await setup(t);
  const started = await audit.start('alpha', { quick: true, actor: 'lead-alpha' });
  t.match(started, { success: true, mode: 'quick', maxIterations: 1, dryRun: false, pid: null });
  await audit.settled('alpha');
  const status = await audit.status('alpha');
  t.match(status, { isRunning: false, exitCode: 3, configured: true, checks: ['lint', 'types'] });
  t.match(status.run, { status: 'failed', iteration: 1, reason: /1 check\(s\) failing: types/ });
  const open = await openTasks(tasks);
  t.equal(open.length, 1, 'one task, for the failing check only');
  t.equal(open[0]!.subject, 'Audit check failing: types');
  t.equal(open[0]!.createdByHandle, 'lead-alpha', 'created by the lead who started it');
  t.match(
    open[0]!.description,
    /<<<fleet-data [0-9a-f]+\n[\s\S]*\[stderr\] error TS2322[\s\S]*fleet-data [0-9a-f]+>>>/,
  );
  const output = await audit.output('alpha', { since: 0, limit: 100 });
  t.ok(output.lines.includes('lint ok'), 'stdout kept');
  t.ok(output.lines.includes('[stderr] error TS2322'), 'stderr kept, marked as the seed did');
  t.ok(
    events.some((e) => e.type === 'audit:output'),
    'audit:output events',
  );
  t.match(events.find((e) => e.type === 'audit:complete')?.data, { status: 'failed', exitCode: 3, failing: ['types'] });

  await audit.start('alpha', { quick: true, actor: 'lead-alpha' });
  await audit.settled('alpha');
  t.equal((await openTasks(tasks)).length, 1, 'still one task: the open one is reused, not one per round');
  const run = await audit.run('alpha', (await audit.runs('alpha', 1))[0]!.id);
  t.equal(run.results.find((r) => r.check === 'types')?.taskId, open[0]!.id);
});

t.test('the loop: fails, opens a task, waits, runs again once it is resolved, ends passed (verified)', async (t) => {
  const dir = tempDir(t);
  const flag = join(dir, 'fixed');
  const check: AuditCheck = {
    name: 'tests',
    command: node('process.exit(require("fs").existsSync(process.argv[1]) ? 0 : 1)', flag),
    timeoutSeconds: 30,
  };
  const { audit, tasks } = await setup(t, { checks: [check] });
  const started = await audit.start('alpha', { maxIterations: 5, actor: 'lead-alpha' });
  const task = await waitFor('the task', async () => (await openTasks(tasks))[0], 20_000);
  t.equal(task.subject, 'Audit check failing: tests');
  t.equal((await audit.status('alpha')).isRunning, true, 'waiting for the task');
  await new Promise((resolve) => setTimeout(resolve, 200));
  t.equal((await openTasks(tasks)).length, 1, 'no second task while it waits');
  writeFileSync(flag, 'done');
  await tasks.tasks.setStatus('alpha', task.id, 'resolved');
  await audit.settled('alpha');
  const run = await audit.run('alpha', started.id);
  t.match(run, { status: 'passed', iteration: 2, exitCode: 0, reason: /^verified/ });
  t.same(
    run.results.map((r) => [r.iteration, r.passed]),
    [
      [1, false],
      [2, true],
    ],
  );
});

t.test('the loop ends failed at maxIterations; without the tasks plugin it cannot wait', async (t) => {
  const { audit, tasks } = await setup(t, { checks: [FAIL] });
  await audit.start('alpha', { maxIterations: 1 });
  await audit.settled('alpha');
  t.match((await audit.status('alpha')).run, { status: 'failed', reason: /still failing after 1 iteration/ });
  t.equal((await openTasks(tasks)).length, 1);
  t.equal((await openTasks(tasks))[0]!.createdByHandle, 'audit', 'a scheduled audit signs as the loop');

  const bare = await setup(t, { checks: [FAIL] }, false);
  await bare.audit.start('alpha', { maxIterations: 3 });
  await bare.audit.settled('alpha');
  t.match((await bare.audit.status('alpha')).run, {
    status: 'failed',
    iteration: 1,
    reason: /no task could be opened/,
  });
});

t.test('stop kills the check’s process group, SIGKILL for one that ignores SIGTERM', async (t) => {
  const stubborn: AuditCheck = {
    name: 'hang',
    command: node(
      'process.on("SIGTERM", () => console.log("ignoring TERM")); console.log("started"); setInterval(() => {}, 1000)',
    ),
    timeoutSeconds: 300,
  };
  const { audit } = await setup(t, { checks: [stubborn] });
  await audit.start('alpha', { actor: 'lead-alpha' });
  await waitFor('started', async () =>
    (await audit.output('alpha', { since: 0, limit: 100 })).lines.includes('started'),
  );
  const pid = (await audit.status('alpha')).pid!;
  t.ok(pid > 0, 'status shows the running check’s pid');
  await t.rejects(audit.start('alpha', {}), { status: 409, code: 'SCHEDULER_AUDIT_ALREADY_RUNNING' });
  const stop = await audit.stop('alpha', 'lead-alpha');
  t.match(stop, { success: true, message: 'Audit loop stop requested', pid });
  await audit.settled('alpha');
  t.throws(() => process.kill(pid, 0), 'the process is gone');
  t.match((await audit.status('alpha')).run, { status: 'stopped', reason: 'stopped by lead-alpha' });
  await t.rejects(audit.stop('alpha', 'lead-alpha'), { status: 400, code: 'SCHEDULER_AUDIT_NOT_RUNNING' });
});

t.test('timeouts, programs that do not exist, a missing cwd: failed checks, never a crash', async (t) => {
  const { audit } = await setup(t, {
    checks: [
      { name: 'slow', command: node('setTimeout(() => {}, 60000)'), timeoutSeconds: 1 },
      { name: 'missing', command: ['definitely-not-a-program-4f2a'], timeoutSeconds: 5 },
      { name: 'nowhere', command: node('1'), cwd: '/definitely/not/a/dir', timeoutSeconds: 5 },
    ],
  });
  const started = await audit.start('alpha', { quick: true });
  await audit.settled('alpha');
  const run = await audit.run('alpha', started.id);
  t.match(run.results, [
    { check: 'slow', passed: false, timedOut: true },
    { check: 'missing', passed: false, exitCode: null, error: /ENOENT/ },
    { check: 'nowhere', passed: false, exitCode: null, error: /ENOENT/ },
  ]);
});

t.test(
  'output pages by absolute line numbers; the oldest are dropped past the bound; numbers never shift',
  async (t) => {
    const noisy: AuditCheck = {
      name: 'noisy',
      command: node('for (let i = 0; i < 250; i++) console.log("line " + i)'),
      timeoutSeconds: 30,
    };
    const { audit } = await setup(t, { checks: [noisy], maxLinesPerRun: 100 });
    await audit.start('alpha', { quick: true });
    await audit.settled('alpha');
    const all = await audit.output('alpha', { since: 0, limit: 1000 });
    t.equal(all.lines.length, 100, 'only the newest 100 kept');
    t.ok(all.totalLines >= 252, 'totalLines counts every line written');
    t.equal(all.firstLine, all.totalLines - 100);
    const n = all.firstLine! + 10;
    const page = await audit.output('alpha', { since: n, limit: 5 });
    t.equal(page.lines.length, 5);
    t.equal(page.nextSince, n + 5);
    t.same(page.lines, all.lines.slice(10, 15), 'line n is the same line whatever the page');
    const next = await audit.output('alpha', { since: page.nextSince, limit: 5 });
    t.same(next.lines, all.lines.slice(15, 20));
    t.same((await audit.output('alpha', { since: 100_000, limit: 5 })).lines, []);
  },
);

t.test('dry run says what would run and starts nothing; no checks is a 409', async (t) => {
  const { audit, db } = await setup(t);
  const plan = await audit.start('alpha', { dryRun: true, maxIterations: 3 });
  t.match(plan, { success: true, dryRun: true, maxIterations: 3, checks: [{ name: 'lint' }, { name: 'types' }] });
  t.equal((await audit.status('alpha')).run?.status, 'planned');
  const results = await db.selectFrom('audit_results').selectAll().execute();
  t.equal(results.length, 0, 'no check ran');
  t.match((await audit.output('alpha', { since: 0, limit: 10 })).lines.join('\n'), /would run:\n {2}lint: /);

  const none = await setup(t, { checks: [] });
  await t.rejects(none.audit.start('alpha', {}), { status: 409, code: 'SCHEDULER_AUDIT_NO_CHECKS' });
  t.match(await none.audit.status('alpha'), { configured: false, isRunning: false, run: null });
});

t.test('teams: per-team checks, another team sees nothing; a run left running is interrupted at start', async (t) => {
  const { audit, db } = await setup(t, { teams: { beta: [PASS] } });
  const started = await audit.start('alpha', { quick: true });
  await audit.settled('alpha');
  t.same((await audit.runs('beta', 10)).length, 0);
  t.match(await audit.output('beta', { since: 0, limit: 10 }), { lines: [], runId: null });
  await t.rejects(audit.run('beta', started.id), { status: 404, code: 'SCHEDULER_AUDIT_RUN_NOT_FOUND' });
  await t.rejects(audit.output('beta', { since: 0, limit: 10, runId: started.id }), {
    status: 404,
    code: 'SCHEDULER_AUDIT_RUN_NOT_FOUND',
  });
  t.same(
    audit.checksFor('beta').map((c) => c.name),
    ['lint'],
  );
  const beta = await audit.start('beta', { quick: true });
  await audit.settled('beta');
  t.equal((await audit.run('beta', beta.id)).status, 'passed');

  await db
    .insertInto('audit_runs')
    .values({
      id: '00000000-0000-4000-8000-00000000000a',
      team_name: 'gamma',
      mode: 'loop',
      dry_run: 0,
      status: 'running',
      max_iterations: 3,
      iteration: 1,
      actor: null,
      started_at: Date.now(),
      finished_at: null,
      reason: null,
      exit_code: null,
      total_lines: 0,
    })
    .execute();
  t.equal(await audit.recover(), 1);
  t.match((await audit.runs('gamma', 1))[0], { status: 'interrupted' });
  t.notOk(existsSync('/definitely/not/a/dir'));
});

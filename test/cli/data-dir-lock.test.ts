/**
 * One fleet server per data dir. Two on one data dir both restarted a crashed worker (two
 * `claude --resume` on one session); now the second `fleet up` exits 1 naming the PID that holds
 * the data dir, and a lock left by a server killed with -9 is taken over, with a log line.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import t from 'tap';
import { holderAlive, LOCK_FILE, lockDataDir, processStart } from '../../core/data-dir-lock.js';
import { FleetError } from '../../core/errors.js';
import { createLogger } from '../../core/log.js';
import {
  FLEET_BIN,
  freePort,
  REPO_ROOT,
  requestJson,
  startServerProcess,
  type TestLike,
  tempDir,
  waitFor,
} from '../kit/index.js';

const CONFIG = `export default ${JSON.stringify({ plugins: { auth: true, metrics: true } })};\n`;

/** A minimal environment, so nothing from the developer's shell (FLEET_DATA_DIR, PORT...) leaks in. */
const childEnv = (home: string, extra: Record<string, string>) => ({
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: home,
  ...extra,
});

/** `fleet up` run to its end (it is expected to refuse or fail). */
function fleetUpOnce(dir: string, env: Record<string, string>): { status: number | null; stderr: string } {
  const result = spawnSync(process.execPath, [FLEET_BIN, 'up', '--config', 'fleet.config.ts'], {
    cwd: dir,
    env: childEnv(dir, env),
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, stderr: result.stderr };
}

const lines = (text: string) => text.split('\n').filter(Boolean);
const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const lockOf = (dataDir: string) => JSON.parse(readFileSync(join(dataDir, LOCK_FILE), 'utf8'));

/** A PID that no process has any more: a child that has exited (and been reaped). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  return child.pid;
}

function project(t: TestLike): { dir: string; dataDir: string } {
  const dir = tempDir(t, 'fleet-lock-');
  writeFileSync(join(dir, 'fleet.config.ts'), CONFIG);
  return { dir, dataDir: join(dir, 'data') };
}

t.test('a second fleet up on the data dir exits 1 naming the PID; after kill -9 the next one takes over', async (t) => {
  const { dir, dataDir } = project(t);
  const port = await freePort();
  const first = await startServerProcess(t, {
    configFile: join(dir, 'fleet.config.ts'),
    cwd: dir,
    port,
    env: { PORT: String(port), FLEET_DATA_DIR: dataDir },
  });
  const firstPid = first.child.pid!;
  t.equal(lockOf(dataDir).pid, firstPid, 'the lock names the first server');

  // Another port, the same data dir: refused before it touches anything.
  const second = fleetUpOnce(dir, { PORT: String(await freePort()), FLEET_DATA_DIR: dataDir });
  t.equal(second.status, 1, 'exit 1');
  t.equal(lines(second.stderr).length, 1, `one line: ${second.stderr}`);
  t.match(
    second.stderr,
    new RegExp(
      `^fleet up: data dir ${escaped(dataDir)} is in use by the fleet of pid ${firstPid} \\(since [^)]+\\): ` +
        `stop it first, or give this fleet another data dir \\(lock: ${escaped(join(dataDir, LOCK_FILE))}\\)$`,
      'm',
    ),
  );
  t.equal((await requestJson(first.url, 'GET', '/health')).status, 200, 'the first one keeps serving');
  t.equal(lockOf(dataDir).pid, firstPid, 'and keeps its lock');

  // kill -9 leaves the lock behind; the next server finds its process gone and takes it over.
  first.child.kill('SIGKILL');
  await first.exited;
  t.ok(existsSync(join(dataDir, LOCK_FILE)), 'kill -9 left the lock');
  const thirdPort = await freePort();
  const third = await startServerProcess(t, {
    configFile: join(dir, 'fleet.config.ts'),
    cwd: dir,
    port: thirdPort,
    env: { PORT: String(thirdPort), FLEET_DATA_DIR: dataDir },
  });
  t.match(third.output(), new RegExp(`warn .*data dir lock of pid ${firstPid} taken over: that process is gone`));
  t.equal(lockOf(dataDir).pid, third.child.pid, 'the lock names the new server');

  // A clean stop removes it.
  await waitFor('fleet up to be up', () => third.output().includes('fleet up: listening on'));
  third.child.kill('SIGTERM');
  t.match(await third.exited, { code: 0 });
  t.notOk(existsSync(join(dataDir, LOCK_FILE)), 'SIGTERM removed the lock');
});

t.test('a fleet up that fails to start (port taken) leaves no lock behind', async (t) => {
  const { dir, dataDir } = project(t);
  const blocker = createServer();
  await new Promise<void>((resolveListen) => blocker.listen(0, '127.0.0.1', resolveListen));
  t.teardown(() => new Promise<void>((resolveClose) => blocker.close(() => resolveClose())));
  const port = (blocker.address() as { port: number }).port;
  const failed = fleetUpOnce(dir, { PORT: String(port), FLEET_DATA_DIR: dataDir });
  t.equal(failed.status, 1);
  t.match(failed.stderr, /EADDRINUSE/);
  t.notOk(existsSync(join(dataDir, LOCK_FILE)), 'the lock went with it');
});

t.test('with PostgreSQL storage the data dir is locked too, before the database is asked', async (t) => {
  const { dir, dataDir } = project(t);
  const held = await lockDataDir(dataDir);
  t.teardown(() => held.release());
  // Nothing listens on port 1: had it got that far, it would fail on the connection instead.
  const refused = fleetUpOnce(dir, {
    PORT: String(await freePort()),
    FLEET_DATA_DIR: dataDir,
    DATABASE_URL: 'postgres://fleet@127.0.0.1:1/fleet',
  });
  t.equal(refused.status, 1);
  t.match(lines(refused.stderr), [
    new RegExp(`^fleet up: data dir ${escaped(dataDir)} is in use by the fleet of pid ${process.pid} `),
  ]);
});

t.test('lockDataDir: held, released, and taken over only from a process that is gone', async (t) => {
  const dataDir = join(tempDir(t, 'fleet-lock-unit-'), 'data');
  const warnings: string[] = [];
  const log = createLogger({ level: 'debug', sink: (line) => warnings.push(line) });

  const lock = await lockDataDir(dataDir, { log });
  t.match(lockOf(dataDir), { pid: process.pid, token: lock.holder.token });
  const again = await lockDataDir(dataDir).catch((error: unknown) => error);
  t.type(again, FleetError);
  t.equal((again as FleetError).code, 'FLEET_ERR_DATA_DIR_LOCKED');
  t.match((again as FleetError).message, `in use by the fleet of pid ${process.pid}`);
  lock.release();
  t.notOk(existsSync(join(dataDir, LOCK_FILE)), 'released');
  lock.release();
  t.pass('releasing twice is harmless');

  // A lock whose process is gone.
  const gone = deadPid();
  const stale = { pid: gone, host: 'elsewhere', token: 'staletoken', since: '2020-01-01T00:00:00.000Z' };
  writeFileSync(join(dataDir, LOCK_FILE), JSON.stringify(stale) + '\n');
  t.notOk(holderAlive(stale));
  const taken = await lockDataDir(dataDir, { log });
  t.equal(lockOf(dataDir).token, taken.holder.token);
  t.ok(
    warnings.some(
      (line) =>
        / warn .*data dir lock of pid \d+ taken over: that process is gone/.test(line) && line.includes(` ${gone} `),
    ),
    warnings.join('\n'),
  );

  // A lock that is no longer ours is left alone by release.
  writeFileSync(join(dataDir, LOCK_FILE), JSON.stringify({ ...stale, token: 'someone-else' }) + '\n');
  taken.release();
  t.equal(lockOf(dataDir).token, 'someone-else', 'release removes only its own lock');

  // An unreadable lock that is not being written any more.
  writeFileSync(join(dataDir, LOCK_FILE), 'garbage');
  utimesSync(join(dataDir, LOCK_FILE), new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
  const overGarbage = await lockDataDir(dataDir, { log });
  t.ok(warnings.some((line) => line.includes('unreadable data dir lock taken over')));
  overGarbage.release();
});

const noProc = processStart(process.pid) === undefined && 'no /proc here';

t.test('lockDataDir: a PID now used by a later process does not hold the lock (Linux)', { skip: noProc }, async (t) => {
  const dataDir = join(tempDir(t, 'fleet-lock-reuse-'), 'data');
  // Our own PID, but a start time that is not ours: the fleet that wrote it had this PID before.
  const earlier = { pid: process.pid, host: 'x', start: '1', token: 'earlier', since: '2020-01-01T00:00:00.000Z' };
  t.notOk(holderAlive(earlier));
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(join(dataDir, LOCK_FILE), JSON.stringify(earlier) + '\n');
  const lock = await lockDataDir(dataDir);
  t.equal(lockOf(dataDir).token, lock.holder.token, 'taken over');
  lock.release();
});

t.test('several servers taking over one stale lock at once: exactly one gets it', async (t) => {
  const dataDir = join(tempDir(t, 'fleet-lock-race-'), 'data');
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(
    join(dataDir, LOCK_FILE),
    JSON.stringify({ pid: deadPid(), host: 'x', token: 'stale', since: '2020-01-01T00:00:00.000Z' }) + '\n',
  );
  // Each child waits for a go file, then tries; a winner holds the lock until told to stop.
  const go = join(dataDir, '..', 'go');
  const script = `
    import { existsSync } from 'node:fs';
    import { lockDataDir } from ${JSON.stringify(join(REPO_ROOT, 'core/data-dir-lock.ts'))};
    while (!existsSync(${JSON.stringify(go)})) await new Promise((r) => setTimeout(r, 5));
    try {
      await lockDataDir(${JSON.stringify(dataDir)});
      process.stdout.write('locked\\n');
      process.stdin.resume();
      process.stdin.on('end', () => process.exit(0));
    } catch (error) {
      process.stdout.write('refused ' + error.message + '\\n');
    }
  `;
  const children: { child: ChildProcess; out: string }[] = [];
  for (let i = 0; i < 4; i++) {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: REPO_ROOT,
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const entry = { child, out: '' };
    child.stdout.on('data', (chunk) => (entry.out += chunk));
    children.push(entry);
    t.teardown(() => void child.kill('SIGKILL'));
  }
  await new Promise((resolveWait) => setTimeout(resolveWait, 2000)); // let them all load
  writeFileSync(go, '');
  await waitFor('every child to answer', () => children.every((entry) => entry.out.includes('\n')), 30_000);
  const locked = children.filter((entry) => entry.out.startsWith('locked'));
  t.equal(locked.length, 1, children.map((entry) => entry.out.trim()).join('\n'));
  t.equal(lockOf(dataDir).pid, locked[0]!.child.pid, 'the lock names the winner');
  for (const entry of children) entry.child.stdin!.end();
});

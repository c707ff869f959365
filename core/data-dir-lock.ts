import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { FleetError } from './errors.js';
import type { Logger } from './log.js';

/** The lock's file in the data dir: one line of JSON naming the fleet that holds it. */
export const LOCK_FILE = 'fleet.lock';

/** Who holds a data dir. `start` tells a live process from a later one given the same PID. */
export interface LockHolder {
  pid: number;
  host: string;
  /** The process's start time in clock ticks since boot (Linux), when known. */
  start?: string;
  /** Unique to this holding: a stale lock is taken over only if it is still the one found stale. */
  token: string;
  since: string;
}

export interface DataDirLock {
  readonly path: string;
  readonly holder: LockHolder;
  /** Remove the lock if it is still ours. Idempotent; also runs when the process exits. */
  release(): void;
}

/** A process's start time (field 22 of /proc/<pid>/stat), or undefined where there is no /proc. */
export function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count from after it.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** Whether the process that wrote the lock still runs: the PID exists and started when it did. */
export function holderAlive(holder: LockHolder): boolean {
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    // EPERM: a process of another user has the PID; it runs.
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  if (holder.start === undefined) return true;
  const now = processStart(holder.pid);
  return now === undefined || now === holder.start;
}

type Found =
  | { kind: 'gone' }
  | { kind: 'holder'; holder: LockHolder; raw: string; ino: number }
  | { kind: 'unreadable'; raw: string; ino: number; ageMs: number };

function readLock(path: string): Found {
  let raw: string;
  let ino: number;
  let mtimeMs: number;
  try {
    ({ ino, mtimeMs } = statSync(path));
    raw = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'gone' };
    throw error;
  }
  try {
    const holder = JSON.parse(raw) as LockHolder;
    if (Number.isInteger(holder.pid) && holder.pid > 0 && typeof holder.token === 'string')
      return { kind: 'holder', holder, raw, ino };
  } catch {
    // below
  }
  return { kind: 'unreadable', raw, ino, ageMs: Date.now() - mtimeMs };
}

/**
 * Create the lock with its whole content at once: written to a file of our own, then hard-linked
 * to the lock's name, which fails if the name exists. Where hard links are not supported, an
 * exclusive create (a reader may then see it empty for a moment: see `unreadable` below).
 */
function tryCreate(path: string, content: string, token: string): boolean {
  const own = `${path}.${token}`;
  try {
    writeFileSync(own, content, { mode: 0o600, flag: 'wx' });
    try {
      linkSync(own, path);
      return true;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return false;
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EOPNOTSUPP') throw error;
    }
  } finally {
    try {
      unlinkSync(own);
    } catch {
      // not created
    }
  }
  try {
    writeFileSync(path, content, { mode: 0o600, flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/**
 * Remove a stale lock, unless it changed since it was found stale. One process at a time does it,
 * under a guard named by the stale lock: two fleets starting together after a crash cannot both
 * remove a lock (the second would remove the first one's fresh lock). Returns whether it removed it.
 */
function removeStale(path: string, found: Exclude<Found, { kind: 'gone' }>): boolean {
  const key = found.kind === 'holder' ? found.holder.token.replace(/[^A-Za-z0-9]/g, '') : `unreadable-${found.ino}`;
  const guard = `${path}.${key}.takeover`;
  try {
    writeFileSync(guard, `${process.pid}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // Another process is taking it over, which takes it a moment; a guard left by one that died
    // mid-way is removed after a few seconds.
    try {
      if (Date.now() - statSync(guard).mtimeMs > 3000) unlinkSync(guard);
    } catch {
      // gone meanwhile
    }
    return false;
  }
  try {
    const now = readLock(path);
    if (now.kind === 'gone' || now.raw !== found.raw || now.ino !== found.ino) return false;
    unlinkSync(path);
    return true;
  } finally {
    try {
      unlinkSync(guard);
    } catch {
      // removed as abandoned by another process: it found the lock changed, or gone
    }
  }
}

/**
 * Lock a data dir for one fleet server: a second one on the same data dir is refused naming the
 * process that holds it. A lock whose process is gone (killed with -9, a crash, a reboot) is taken
 * over, with a warning in the log; so is one whose PID now belongs to a later process (Linux).
 */
export async function lockDataDir(dataDir: string, options: { log?: Logger } = {}): Promise<DataDirLock> {
  const dir = resolve(dataDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, LOCK_FILE);
  const mine: LockHolder = {
    pid: process.pid,
    host: hostname(),
    start: processStart(process.pid),
    token: randomBytes(12).toString('hex'),
    since: new Date().toISOString(),
  };
  const content = JSON.stringify(mine) + '\n';
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (tryCreate(path, content, mine.token)) break;
    const found = readLock(path);
    if (found.kind === 'holder' && holderAlive(found.holder)) {
      const { pid, host, since } = found.holder;
      throw new FleetError(
        'FLEET_ERR_DATA_DIR_LOCKED',
        `data dir ${dir} is in use by the fleet of pid ${pid}${host === mine.host ? '' : ` on ${host}`} ` +
          `(since ${since}): stop it first, or give this fleet another data dir (lock: ${path})`,
        { dataDir: dir, pid, host },
      );
    }
    // An unreadable lock this young may be one being written without hard links: give it a moment.
    const settling = found.kind === 'unreadable' && found.ageMs < 2000;
    if (found.kind !== 'gone' && !settling && removeStale(path, found)) {
      options.log?.warn(
        found.kind === 'holder'
          ? `data dir lock of pid ${found.holder.pid} taken over: that process is gone`
          : 'unreadable data dir lock taken over',
        { dataDir: dir, since: found.kind === 'holder' ? found.holder.since : undefined },
      );
      continue;
    }
    if (Date.now() > deadline) throw new FleetError('FLEET_ERR_DATA_DIR_LOCKED', `could not lock data dir ${dir}`);
    await new Promise((resolveWait) => setTimeout(resolveWait, 25));
  }
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.off('exit', release);
    try {
      const now = readLock(path);
      if (now.kind === 'holder' && now.holder.token === mine.token) unlinkSync(path);
    } catch {
      // removed meanwhile, or the data dir is gone: nothing left to release
    }
  };
  // However the process ends short of SIGKILL, the lock goes with it.
  process.on('exit', release);
  return { path, holder: mine, release };
}

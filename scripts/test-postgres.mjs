// One throwaway PostgreSQL cluster for a whole test run (scripts/test.sh): the plugin suites run a
// second time against it with FLEET_TEST_STORAGE=postgres, each fleet in a fresh database of its own.
//
//   node scripts/test-postgres.mjs check        why it cannot run here (exit 3), or nothing (exit 0)
//   node scripts/test-postgres.mjs start <dir>  initdb + start in <dir> (an empty dir); prints the URL
//   node scripts/test-postgres.mjs stop <dir>   stop the cluster started in <dir>, remove <dir>
//
// Debian's server binaries (/usr/lib/postgresql/<version>/bin), run as the postgres user through
// runuser (so: root), listening on a free 127.0.0.1 port and a Unix socket in <dir>, fsync off.
import { execFileSync } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

const ROOT = '/usr/lib/postgresql';

/** The newest installed server's bin dir, if any. */
function postgresBin() {
  if (!existsSync(ROOT)) return undefined;
  const versions = readdirSync(ROOT)
    .filter((version) => existsSync(join(ROOT, version, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(ROOT, versions[0], 'bin') : undefined;
}

function postgresUser() {
  try {
    const id = (flag) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    return undefined;
  }
}

/** Why a throwaway cluster cannot run here, or undefined when it can. */
function unavailable() {
  if (!postgresBin()) return `no PostgreSQL server installed (no ${ROOT}/*/bin/initdb; Debian package postgresql)`;
  if (process.getuid?.() !== 0) return 'the cluster runs as the postgres user, which needs root';
  if (!postgresUser()) return 'no postgres user';
  return undefined;
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

/** A server program as the postgres user; its output is returned, or thrown with the error. */
function asPostgres(program, args, timeout = 60_000) {
  try {
    return execFileSync('runuser', ['-u', 'postgres', '--', join(postgresBin(), program), ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout,
    });
  } catch (error) {
    throw new Error(`${program} failed: ${(error.stderr || error.stdout || error.message).toString().trim()}`, {
      cause: error,
    });
  }
}

async function start(dir) {
  const reason = unavailable();
  if (reason) throw new Error(`PostgreSQL cannot run here: ${reason}`);
  if (!statSync(dir).isDirectory() || readdirSync(dir).length > 0) {
    throw new Error(`${dir}: must be an empty directory`);
  }
  const { uid, gid } = postgresUser();
  const data = join(dir, 'data');
  mkdirSync(data, { mode: 0o700 });
  chownSync(dir, uid, gid);
  chownSync(data, uid, gid);
  // --no-sync: a throwaway cluster need not survive a power loss.
  asPostgres('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync']);
  // The settings go into postgresql.conf (appending keeps its owner), not through pg_ctl -o's string.
  // Every fleet holds a pool of up to 10 connections; tap runs two suites at once.
  const settings = {
    listen_addresses: "'127.0.0.1'",
    unix_socket_directories: `'${dir}'`,
    fsync: 'off',
    synchronous_commit: 'off',
    full_page_writes: 'off',
    max_connections: '300',
    log_checkpoints: 'off',
  };
  const lines = Object.entries(settings).map(([key, value]) => `${key} = ${value}\n`);
  appendFileSync(join(data, 'postgresql.conf'), `\n# scripts/test-postgres.mjs\n${lines.join('')}`);
  // The port is free a moment before the server binds it: try again if another process took it.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    appendFileSync(join(data, 'postgresql.conf'), `port = ${port}\n`);
    try {
      asPostgres('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start']);
      return `postgres://postgres@127.0.0.1:${port}/postgres`;
    } catch (error) {
      const log = existsSync(join(dir, 'server.log')) ? readFileSync(join(dir, 'server.log'), 'utf8') : '';
      if (attempt >= 3 || !/could not bind|Address already in use/.test(log)) {
        throw new Error(`${error.message}\n${log}`, { cause: error });
      }
    }
  }
}

function stop(dir) {
  const data = join(dir, 'data');
  const pidFile = join(data, 'postmaster.pid');
  if (existsSync(pidFile)) {
    try {
      // immediate: nothing to keep, so no shutdown checkpoint.
      asPostgres('pg_ctl', ['-D', data, '-m', 'immediate', '-w', '-t', '30', 'stop']);
    } catch (error) {
      const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
      process.stderr.write(`# ${error.message}; killing postmaster ${pid}\n`);
      if (pid > 0) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  }
  rmSync(dir, { recursive: true, force: true });
}

const [command, dirArg] = process.argv.slice(2);
try {
  if (command === 'check') {
    const reason = unavailable();
    if (reason) {
      process.stdout.write(`${reason}\n`);
      process.exitCode = 3;
    }
  } else if ((command === 'start' || command === 'stop') && dirArg) {
    const dir = resolve(dirArg);
    if (command === 'start') process.stdout.write(`${await start(dir)}\n`);
    else if (existsSync(dir)) stop(dir);
  } else {
    process.stderr.write('usage: node scripts/test-postgres.mjs check | start <dir> | stop <dir>\n');
    process.exitCode = 2;
  }
} catch (error) {
  process.stderr.write(`test-postgres ${command}: ${error.message}\n`);
  process.exitCode = 1;
}

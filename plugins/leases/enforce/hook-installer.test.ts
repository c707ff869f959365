/**
 * The pre-commit hook in a real repository with worktrees: installed for one worktree only (the main
 * checkout and another worktree keep the repository's own hooks), refusing a commit the fleet says is
 * leased, failing open when the fleet cannot be reached, and still running the repository's own hook.
 * The fleet's answer comes from an HTTP server on port 0 speaking POST /leases/check's shape.
 */
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, mkdir, readFile, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { installLeaseHook } from './hook-installer.js';

const run = promisify(execFile);
const git = (dir: string, ...args: string[]) => run('git', ['-C', dir, ...args]).then((r) => r.stdout.trim());
const commit = (dir: string, message: string) =>
  run('git', ['-C', dir, 'commit', '-qm', message]).then(
    (result) => ({ ok: true, stderr: result.stderr }),
    (error: { stderr?: string }) => ({ ok: false, stderr: error.stderr ?? '' }),
  );

t.test('the pre-commit hook: per worktree, refuses leased paths, fails open, forwards', async (t) => {
  const base = await realpath(await mkdtemp(join(tmpdir(), 'l2-hook-')));
  const asked: { auth?: string; body: unknown }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const parsed = JSON.parse(body) as { paths: string[] };
      asked.push({ auth: req.headers.authorization, body: parsed });
      const leased = parsed.paths.filter((path) => path.startsWith('src/auth/'));
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          allowed: leased.length === 0,
          conflicts: leased.map((path) => ({ path, holder: 'bob', leaseId: '7', mode: 'exclusive', expiresAt: null })),
        }),
      );
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  t.teardown(async () => {
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
    await rm(base, { recursive: true, force: true });
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const repo = join(base, 'repo');
  await git(base, 'init', '-q', '-b', 'main', repo);
  await git(repo, 'config', 'user.email', 'l2@example.com');
  await git(repo, 'config', 'user.name', 'l2');
  await mkdir(join(repo, 'src/auth'), { recursive: true });
  await writeFile(join(repo, 'src/auth/login.ts'), '1\n');
  await git(repo, 'add', '-A');
  await git(repo, 'commit', '-qm', 'init');
  // The repository's own pre-commit hook leaves a mark, so forwarding can be seen.
  const ownHook = join(repo, '.git/hooks/pre-commit');
  await writeFile(ownHook, `#!/bin/sh\necho ran >> "${join(base, 'own-hook.log')}"\n`);
  await chmod(ownHook, 0o755);
  const wt = join(base, 'alice');
  const other = join(base, 'carol');
  await git(repo, 'worktree', 'add', '-q', '-b', 'alice', wt);
  await git(repo, 'worktree', 'add', '-q', '-b', 'carol', other);
  const workerDir = join(base, 'workers/alice');
  const hooks = await installLeaseHook({
    teamName: 'red',
    handle: 'alice',
    path: wt,
    branch: 'alice',
    workerDir,
    token: 'tok-alice',
    url,
  });
  t.equal((await stat(join(hooks, 'fleet-lease.json'))).mode & 0o777, 0o600, 'the token file is 0600');
  t.equal(await git(wt, 'config', 'core.hooksPath'), hooks, 'the worktree uses its own hooks');
  t.equal(await git(repo, 'config', '--get', 'core.hooksPath').catch(() => ''), '', 'the main checkout does not');
  t.equal(await git(other, 'config', '--get', 'core.hooksPath').catch(() => ''), '', 'nor does another worktree');

  // A leased path: refused, with the holder named.
  await writeFile(join(wt, 'src/auth/login.ts'), '2\n');
  await git(wt, 'add', '-A');
  const refused = await commit(wt, 'leased');
  t.notOk(refused.ok, 'the commit is refused');
  t.match(refused.stderr, /src\/auth\/login\.ts: leased exclusively to bob \(lease 7\)/);
  t.equal(asked.at(-1)?.auth, 'Bearer tok-alice', "the worker's token is sent");
  t.same((asked.at(-1)?.body as { repo: string }).repo, wt);

  // Another path: committed, and the repository's own hook ran too.
  await git(wt, 'reset', '-q');
  await git(wt, 'checkout', '--', '.');
  await writeFile(join(wt, 'free.ts'), 'x\n');
  await git(wt, 'add', 'free.ts');
  t.ok((await commit(wt, 'free')).ok, 'a free path commits');
  t.match(await readFile(join(base, 'own-hook.log'), 'utf8'), /ran/, "the repository's own hook ran");

  // In the other worktree and the main checkout the fleet is not asked.
  const before = asked.length;
  await writeFile(join(other, 'src/auth/login.ts'), '3\n');
  await git(other, 'add', '-A');
  t.ok((await commit(other, 'carol')).ok, 'another worktree commits without the fleet');
  t.equal(asked.length, before, 'the fleet was not asked for it');

  // The fleet down: the commit goes through with a warning.
  server.closeAllConnections();
  await new Promise((done) => server.close(done));
  server.listen(0);
  const settings = JSON.parse(await readFile(join(hooks, 'fleet-lease.json'), 'utf8')) as Record<string, unknown>;
  await writeFile(join(hooks, 'fleet-lease.json'), JSON.stringify({ ...settings, url: 'http://127.0.0.1:9' }));
  await writeFile(join(wt, 'src/auth/login.ts'), '4\n');
  await git(wt, 'add', '-A');
  const open = await commit(wt, 'fleet down');
  t.ok(open.ok, 'fails open');
  t.match(open.stderr, /could not be asked/, 'with a warning');
});

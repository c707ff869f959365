/**
 * The health probes against real things: a program found on a PATH (and one that is not, or not
 * executable), a real database of the run's engine, and the real tmux on a private socket (the
 * driver the workers plugin uses; its server started and killed here).
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { TmuxDriver } from '../../../core/index.js';
import { killTmuxServer, migratedDatabase, tempDir, uniqueSocket } from '../../../test/kit/index.js';
import type { WorkersApi } from '../../workers/index.js';
import { findProgram, probeAll } from './probes.js';

t.test('findProgram: on PATH and executable, or an absolute path; else null', async (t) => {
  const dir = tempDir(t);
  const claude = join(dir, 'claude');
  writeFileSync(claude, '#!/bin/sh\nexit 0\n');
  chmodSync(claude, 0o755);
  const plain = join(dir, 'plain');
  writeFileSync(plain, 'not executable');
  t.equal(findProgram('claude', `/definitely/not:${dir}`), claude);
  t.equal(findProgram('plain', dir), null, 'not executable');
  t.equal(findProgram('nothing-here', dir), null);
  t.equal(findProgram(claude, ''), claude, 'an absolute path');
  t.equal(findProgram('./claude', dir), null, 'a relative path is not trusted');
});

t.test('probeAll: workers off says so; the database answers', async (t) => {
  const { db } = await migratedDatabase(t, []);
  const checks = await probeAll(undefined, db);
  t.same(checks.map((c) => [c.name, c.passed]).slice(0, 2), [
    ['workers_plugin', false],
    ['tmux', false],
  ]);
  t.match(checks[3], { name: 'database', passed: true, detail: /answered in \d+ ms/ });
});

t.test('probeAll: tmux answers on the workers’ socket; the configured claude program is looked up', async (t) => {
  const { db } = await migratedDatabase(t, []);
  const socket = uniqueSocket('probe');
  const tmux = new TmuxDriver({ socket });
  t.teardown(() => killTmuxServer(socket));
  const dir = tempDir(t);
  const claude = join(dir, 'my-claude');
  writeFileSync(claude, '#!/bin/sh\nexit 0\n');
  chmodSync(claude, 0o755);
  const workers = { tmux, session: 'fleet', options: { defaultAdapter: 'claude', claude: { command: [claude] } } };
  const checks = await probeAll(workers as unknown as WorkersApi, db);
  t.match(checks, [
    { name: 'workers_plugin', passed: true },
    { name: 'tmux', passed: true, detail: new RegExp(`^tmux .* on socket ${socket}; session fleet not started$`) },
    { name: 'claude_binary', passed: true, detail: claude },
    { name: 'database', passed: true },
  ]);
  const missing = { ...workers, options: { defaultAdapter: 'claude', claude: { command: ['no-such-claude-4f2a'] } } };
  const without = await probeAll(missing as unknown as WorkersApi, db);
  t.match(without[2], { name: 'claude_binary', passed: false, detail: 'no-such-claude-4f2a not found on PATH' });
});

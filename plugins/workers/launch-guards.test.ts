/**
 * Launch guards (what the policy plugin asks of every worker): their Claude Code settings merged
 * into `<worker dir>/settings.json` (mode 0600) and passed with --settings, with --setting-sources,
 * on the first launch and on restarts (--resume) alike; `enforcement` on each worker while a guard is
 * in force; a strict guard refusing command adapters (409 WORKERS_UNENFORCEABLE naming the adapter),
 * and their restarts. Real fleets, the fake agent as `claude` in real tmux panes.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { startWorkerFleet } from '../../test/kit/index.js';
import type { LaunchGuard, WorkersApi } from './index.js';
import { mergeSettings } from './launch-guards.js';

/** A program that echoes lines: a command adapter the guards cannot enforce. */
const ECHO =
  "require('node:readline').createInterface({ input: process.stdin })" + ".on('line', (l) => console.log('echo ' + l))";

const spec = (dir: string) =>
  JSON.parse(readFileSync(join(dir, 'spawn.json'), 'utf8')) as { argv: string[]; initialPrompt?: string };
const after = (argv: string[], flag: string) => (argv.includes(flag) ? argv[argv.indexOf(flag) + 1] : undefined);

t.test('mergeSettings: objects key by key, arrays appended, the rest the later one’s', async (t) => {
  const base = { hooks: { PreToolUse: [{ a: 1 }] }, model: 'x', env: { A: '1' } };
  const merged = mergeSettings(base, { hooks: { PreToolUse: [{ b: 2 }], Stop: [] }, model: 'y', env: { B: '2' } });
  t.same(merged, { hooks: { PreToolUse: [{ a: 1 }, { b: 2 }], Stop: [] }, model: 'y', env: { A: '1', B: '2' } });
  t.same(base, { hooks: { PreToolUse: [{ a: 1 }] }, model: 'x', env: { A: '1' } }, 'the inputs are not changed');
});

t.test('guards: settings via --settings (0600) on spawn and restart, enforcement, strict refusal', async (t) => {
  const w = await startWorkerFleet(t, { workers: { commands: { echo: { argv: [process.execPath, '-e', ECHO] } } } });
  const api = w.fleet.kernel.api<WorkersApi>('workers')!;
  const list = async () =>
    (await w.fleet.request('GET', '/orchestrate/workers', { token: w.lead })).body as Record<string, any>[];

  // No guard: nothing changes, and worker views say nothing of enforcement (backward compatible).
  const before = await w.spawn('early', { initialPrompt: 'hello' });
  t.equal(before.status, 201, JSON.stringify(before.body));
  t.notOk('enforcement' in before.body, 'no enforcement field without a guard');
  t.notOk(spec(w.workerDir('early')).argv.includes('--settings'), 'no --settings without a guard');
  t.notOk(existsSync(join(w.workerDir('early'), 'settings.json')), 'no settings file');
  await w.waitWorker('early', (x) => x.state === 'idle', 'idle');

  // Two guards: their settings merge (both hooks run), their setting sources intersect.
  let launches = 0;
  let strict = false;
  const policy: LaunchGuard = {
    name: 'policy',
    claudeSettings: (worker) => ({
      hooks: { PreToolUse: [{ matcher: '*', hooks: [{ type: 'command', command: '/bin/true', args: [] }] }] },
      launch: { worker: `${worker.teamName}/${worker.handle}`, count: ++launches },
    }),
    settingSources: ['user'],
    strict: () => strict,
  };
  const removePolicy = api.addLaunchGuard(policy);
  const removeOther = api.addLaunchGuard({
    name: 'other',
    claudeSettings: { hooks: { PreToolUse: [{ matcher: 'Bash', hooks: [] }] } },
    settingSources: ['project', 'local'],
  });

  const listed = await list();
  t.equal(listed.find((x) => x.handle === 'early')?.enforcement, 'unenforced', 'a run launched before the guard');

  const spawned = await w.spawn('guarded', { initialPrompt: 'hello' });
  t.equal(spawned.status, 201, JSON.stringify(spawned.body));
  t.equal(spawned.body.enforcement, 'enforced', 'the spawn answer says enforced');
  const dir = w.workerDir('guarded');
  const settingsFile = join(dir, 'settings.json');
  const first = spec(dir).argv;
  t.equal(after(first, '--settings'), settingsFile, 'claude gets --settings <worker dir>/settings.json');
  t.equal(after(first, '--setting-sources'), '', 'and --setting-sources with what every guard allows (none)');
  t.equal(statSync(settingsFile).mode & 0o777, 0o600, 'the settings file is mode 0600');
  const written = JSON.parse(readFileSync(settingsFile, 'utf8'));
  t.same(
    written.hooks.PreToolUse.map((entry: any) => entry.matcher),
    ['*', 'Bash'],
    'both guards’ hooks, in the order the guards came',
  );
  t.same(written.launch, { worker: `${w.team}/guarded`, count: 1 }, 'settings made for this worker');
  await w.waitWorker('guarded', (x) => x.state === 'idle', 'idle');

  // A command adapter runs (not strict), listed as unenforced.
  const cmd = await w.spawn('cmd', { adapter: 'echo', initialPrompt: 'one' });
  t.equal(cmd.status, 201, JSON.stringify(cmd.body));
  t.equal(cmd.body.enforcement, 'unenforced', 'another CLI cannot be held to the guard');
  t.notOk(spec(w.workerDir('cmd')).argv.includes('--settings'), 'and gets no Claude Code settings');

  // Restarts (--resume) get the guards' settings again, written afresh; a run from before the guard gets them now.
  for (const handle of ['guarded', 'early']) {
    await w.fleet.request('POST', `/orchestrate/send/${handle}`, { token: w.lead, body: { message: 'CRASH' } });
    await w.waitWorker(handle, (x) => x.restartCount === 1 && x.state === 'idle', 'restarted and idle');
    const argv = spec(w.workerDir(handle)).argv;
    t.ok(after(argv, '--resume'), `${handle}: restarted with --resume`);
    t.equal(after(argv, '--settings'), join(w.workerDir(handle), 'settings.json'), `${handle}: and --settings`);
    t.equal(statSync(join(w.workerDir(handle), 'settings.json')).mode & 0o777, 0o600, `${handle}: file 0600`);
  }
  t.equal(
    JSON.parse(readFileSync(settingsFile, 'utf8')).launch.count > 1,
    true,
    'the restart wrote the settings again (the guard was asked again)',
  );
  t.same(
    (await list())
      .filter((x) => ['early', 'guarded', 'cmd'].includes(x.handle))
      .map((x) => [x.handle, x.enforcement])
      .sort(),
    [
      ['cmd', 'unenforced'],
      ['early', 'enforced'],
      ['guarded', 'enforced'],
    ],
    'GET /orchestrate/workers: enforcement on each worker',
  );

  // Strict: command adapters are refused with a code naming the adapter, over HTTP and as a tool.
  strict = true;
  const refused = await w.spawn('cmd2', { adapter: 'echo' });
  t.equal(refused.status, 409, JSON.stringify(refused.body));
  t.match(refused.body, {
    code: 'WORKERS_UNENFORCEABLE',
    field: 'adapter',
    error: /^adapter: echo workers cannot be held to the policy rules, and policy is strict/,
  });
  const tool = await w.fleet.request('POST', '/mcp/call', {
    token: w.lead,
    body: { name: 'team_spawn', arguments: { handle: 'cmd3', adapter: 'echo' } },
  });
  t.equal(tool.body.isError, true, 'team_spawn refuses it too');
  t.match(tool.body.content[0].text, /^WORKERS_UNENFORCEABLE: adapter: echo workers/);
  t.equal((await w.spawn('claude2', { initialPrompt: 'hi' })).status, 201, 'claude workers still spawn');
  t.notOk(
    (await list()).some((x) => x.handle === 'cmd2' || x.handle === 'cmd3'),
    'no row for a refused spawn',
  );

  // A command worker that dies under a strict guard is not launched again: it fails.
  const cmdHost = w.host('cmd');
  process.kill(cmdHost.agentPid, 'SIGKILL');
  const failed = await w.waitWorker('cmd', (x) => x.state === 'failed', 'failed, not restarted');
  t.equal(failed.restartCount, 0, 'no restart');
  t.ok(
    w.fleet.logs.some((line) => line.includes('restart failed') && line.includes('cmd')),
    'the log says why it was not restarted',
  );

  // Guards removed: views lose the field, new launches get no settings (and a stale file is removed).
  removePolicy();
  removePolicy();
  removeOther();
  t.notOk(
    (await list()).some((x) => 'enforcement' in x),
    'no enforcement field once no guard is in force',
  );
  await w.fleet.request('POST', '/orchestrate/send/guarded', { token: w.lead, body: { message: 'CRASH' } });
  await w.waitWorker('guarded', (x) => x.restartCount === 2 && x.state === 'idle', 'restarted without guards');
  t.notOk(spec(dir).argv.includes('--settings'), 'a launch without guards has no --settings');
  t.notOk(spec(dir).argv.includes('--setting-sources'), 'nor --setting-sources');
  t.notOk(existsSync(settingsFile), 'the earlier settings file is removed');
});

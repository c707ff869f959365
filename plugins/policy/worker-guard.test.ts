/**
 * The policy plugin's launch guard on real workers (the fake agent as `claude`, real tmux): each
 * Claude Code worker gets the fail-closed PreToolUse hook through --settings, and `strict` refuses
 * workers the hook cannot reach. That the hook really stops calls is proven with the real Claude Code
 * in test/e2e/claude-code-policy.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { startWorkerFleet } from '../../test/kit/index.js';
import { PRE_TOOL_USE_HOOK } from './hook-settings.js';

const ECHO = `require('node:readline').createInterface({ input: process.stdin }).on('line', (l) => console.log(l))`;
const commands = { echo: { argv: [process.execPath, '-e', ECHO] } };

t.test('with policy on, a claude worker launches with the hook; other CLIs show as unenforced', async (t) => {
  const w = await startWorkerFleet(t, {
    plugins: { policy: { approvals: { timeoutSeconds: 120 } } },
    workers: { commands },
  });
  const spawned = await w.spawn('guarded', { initialPrompt: 'hello' });
  t.equal(spawned.status, 201, JSON.stringify(spawned.body));
  t.equal(spawned.body.enforcement, 'enforced');
  const settings = JSON.parse(readFileSync(join(w.workerDir('guarded'), 'settings.json'), 'utf8'));
  const [entry] = settings.hooks.PreToolUse;
  t.equal(entry.matcher, '*', 'every tool');
  t.match(entry.hooks[0], {
    type: 'command',
    command: process.execPath,
    args: [PRE_TOOL_USE_HOOK, '--approval-timeout-seconds=120'],
    onFailure: 'block',
  });
  t.ok(entry.hooks[0].timeout > 120, 'Claude Code waits longer than an approval may take');

  const other = await w.spawn('plain', { adapter: 'echo' });
  t.equal(other.status, 201, JSON.stringify(other.body));
  t.equal(other.body.enforcement, 'unenforced', 'a CLI the hook cannot reach is marked, not hidden');
});

t.test('strict: workers the policy cannot enforce are refused', async (t) => {
  const w = await startWorkerFleet(t, { plugins: { policy: { strict: true } }, workers: { commands } });
  const refused = await w.spawn('plain', { adapter: 'echo' });
  t.equal(refused.status, 409);
  t.equal(refused.body.code, 'WORKERS_UNENFORCEABLE');
  t.match(refused.body.error, /echo/);
  t.equal((await w.spawn('guarded', { initialPrompt: 'hello' })).status, 201, 'Claude Code workers still spawn');
});

import t from 'tap';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { definePlugin } from '../../core/index.js';
import { type Agent, as, registerTeam, startCoordination, type TestLike } from '../../test/kit/index.js';
import type { PolicyApi, PolicyContextSource } from './index.js';

// Context sources as another plugin adds them (a tiny plugin of this test), and the real hook
// process against the fleet: the text reaches Claude Code as additionalContext on an allow and on
// none; a deny carries none; a failing or slow source is left out and the decision stands.
const HOOK = fileURLToPath(new URL('./hook/pre-tool-use.mjs', import.meta.url));

async function fleetWithSources(t: TestLike, sources: PolicyContextSource[]) {
  const contextPlugin = definePlugin({
    name: 'contexttest',
    dependsOn: ['policy'],
    setup(ctx) {
      const policy = ctx.use<PolicyApi>('policy');
      for (const source of sources) ctx.onStop(policy.addContextSource(source));
    },
  });
  const fleet = await startCoordination(t, {
    plugins: { auth: true, policy: true, contexttest: true },
    extraPlugins: [contextPlugin],
  });
  const { lead, workers } = await registerTeam(fleet, 'alpha', ['ann']);
  return { fleet, lead, ann: workers[0] as Agent };
}

async function runHook(url: string, token: string, command: string) {
  const child = spawn(process.execPath, [HOOK], {
    env: { PATH: process.env.PATH ?? '', FLEET_URL: url, FLEET_TOKEN: token },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stdin.end(JSON.stringify({ tool_name: 'Bash', tool_input: { command }, cwd: '/tmp', session_id: 's' }));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  t.equal(code, 0);
  return out.trim() === '' ? undefined : (JSON.parse(out) as { hookSpecificOutput: Record<string, string> });
}

t.test('context on none and allow reaches the agent; a deny carries none', async (t) => {
  const { fleet, lead, ann } = await fleetWithSources(t, [
    {
      name: 'notes',
      context: async (caller, request) =>
        request.tool === 'Bash' ? `note for ${caller.handle}: ${String(request.input.command)}` : undefined,
    },
    { name: 'quiet', context: async () => undefined },
  ]);
  const none = await runHook(fleet.url, ann.token, 'ls');
  t.same(none, { hookSpecificOutput: { hookEventName: 'PreToolUse', additionalContext: 'note for ann: ls' } });
  for (const [name, action, pattern] of [
    ['ok-git', 'allow', 'git status'],
    ['no-rm', 'block', 'rm -rf *'],
  ]) {
    const rule = await as(fleet, lead, 'POST', '/policies', {
      name,
      tool: 'Bash',
      pattern,
      decision: action,
      reason: name,
    });
    t.equal(rule.status, 201, JSON.stringify(rule.body));
  }
  const allowed = await runHook(fleet.url, ann.token, 'git status');
  t.equal(allowed?.hookSpecificOutput.permissionDecision, 'allow');
  t.equal(allowed?.hookSpecificOutput.additionalContext, 'note for ann: git status');
  const denied = await runHook(fleet.url, ann.token, 'rm -rf /tmp/x');
  t.equal(denied?.hookSpecificOutput.permissionDecision, 'deny');
  t.notOk('additionalContext' in (denied?.hookSpecificOutput ?? {}), 'a denied call gets no notes');
});

t.test('a failing or slow source is left out; the others and the decision stand', async (t) => {
  const { fleet, ann } = await fleetWithSources(t, [
    {
      name: 'broken',
      context: async () => {
        throw new Error('boom');
      },
    },
    { name: 'slow', context: () => new Promise((resolve) => setTimeout(() => resolve('too late'), 2000)) },
    { name: 'fine', context: async () => 'still here' },
  ]);
  const started = Date.now();
  const answer = await runHook(fleet.url, ann.token, 'ls');
  t.same(answer, { hookSpecificOutput: { hookEventName: 'PreToolUse', additionalContext: 'still here' } });
  t.ok(Date.now() - started < 1900, 'the slow source was not waited for');
  const check = await as(fleet, ann, 'POST', '/policies/check', { tool: 'Bash', input: { command: 'ls' } });
  t.same(check.body, { decision: 'none', context: 'still here' });
});

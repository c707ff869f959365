import t from 'tap';
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { callTool, startWorkerFleet, tempDir, toolJson, waitFor } from '../../../test/kit/index.js';

// Two fake-agent workers in one swarm on one repository, with the policy plugin: w1's Edit (from its
// stream-json) leaves a `modify` trail; w2 about to edit the same file runs the real PreToolUse hook
// and is told, in additionalContext; w1 itself, a read, and a cold file are not. Then team_tasks for
// w2 puts the task on cold files first.

const HOOK = fileURLToPath(new URL('../../policy/hook/pre-tool-use.mjs', import.meta.url));

async function runHook(url: string, token: string, call: unknown): Promise<Record<string, any> | undefined> {
  const child = spawn(process.execPath, [HOOK], {
    env: { PATH: process.env.PATH ?? '', FLEET_URL: url, FLEET_TOKEN: token },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stdin.end(JSON.stringify(call));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`hook exit ${code}`);
  return out.trim() === ''
    ? undefined
    : (JSON.parse(out) as { hookSpecificOutput: Record<string, any> }).hookSpecificOutput;
}

t.test('a second worker about to edit a file the first just modified is warned by the hook', async (t) => {
  const w = await startWorkerFleet(t, { plugins: { swarm: true, policy: true } });
  const repo = tempDir(t);
  mkdirSync(join(repo, '.git'));
  mkdirSync(join(repo, 'src'));
  const swarm = await w.fleet.request('POST', '/swarms', { token: w.lead, body: { name: 'builders' } });
  t.equal(swarm.status, 200, JSON.stringify(swarm.body));
  const swarmId = swarm.body.id as string;
  for (const handle of ['w1', 'w2']) {
    const spawned = await w.spawn(handle, { workingDir: repo, swarmId });
    t.ok(spawned.status < 300, JSON.stringify(spawned.body));
    await w.waitWorker(handle, (x) => x.state === 'idle' || x.state === 'ready', 'up');
  }
  const sent = await w.fleet.request('POST', '/orchestrate/send/w1', {
    token: w.lead,
    body: { message: `WRITE ${join(repo, 'src/shared.ts')}` },
  });
  t.equal(sent.status, 200);
  const trail = await waitFor('the modify trail of w1', async () => {
    const r = await w.fleet.request('GET', `/pheromones/${swarmId}?trailType=modify`, { token: w.lead });
    return r.body.trails?.find((x: { resourceId: string }) => x.resourceId === 'src/shared.ts');
  });
  t.equal(trail.depositorHandle, 'w1');
  t.same(trail.metadata, { auto: true, tool: 'Edit' });

  const w2 = { handle: 'w2', teamName: 'alpha', ...(await w.fleet.register('w2', 'alpha')) };
  const w1 = { handle: 'w1', teamName: 'alpha', ...(await w.fleet.register('w1', 'alpha')) };
  const edit = (path: string, tool = 'Edit') => ({
    tool_name: tool,
    tool_input: { file_path: path, old_string: 'a', new_string: 'b' },
    cwd: repo,
    session_id: 's',
  });
  const warned = await runHook(w.fleet.url, w2.token, edit(join(repo, 'src/shared.ts')));
  t.ok(warned, 'the hook answered');
  t.match(warned!.additionalContext, /src\/shared\.ts was modified recently by w1/);
  t.notOk(warned!.permissionDecision, 'no rule matched: the decision stays the agent’s own (none)');
  const relative = await runHook(w.fleet.url, w2.token, edit('src/shared.ts', 'Write'));
  t.match(relative?.additionalContext, /w1/, 'a relative path names the same file');
  t.equal(await runHook(w.fleet.url, w1.token, edit(join(repo, 'src/shared.ts'))), undefined, 'not about itself');
  t.equal(await runHook(w.fleet.url, w2.token, edit(join(repo, 'src/cold.ts'))), undefined, 'a cold file');
  t.equal(
    await runHook(w.fleet.url, w2.token, { tool_name: 'Read', tool_input: { file_path: join(repo, 'src/shared.ts') } }),
    undefined,
    'reading is not warned',
  );

  // The hot file's task comes after the cold one for a worker; a lead gets the plain order.
  for (const [subject, file] of [
    ['hot task', 'src/shared.ts'],
    ['cold task', 'src/cold.ts'],
  ])
    t.equal(
      (
        await w.fleet.request('POST', '/tasks', {
          token: w.lead,
          body: { subject, description: `Do it.\nFiles: ${file}` },
        })
      ).status,
      200,
    );
  const forWorker = toolJson(await callTool(w.fleet, w2, 'team_tasks', { filter: 'unassigned' }));
  t.same(
    forWorker.map((x: { subject: string }) => x.subject),
    ['cold task', 'hot task'],
  );
  const lead = { handle: 'lead', uid: '', token: w.lead, teamName: 'alpha' };
  const forLead = toolJson(await callTool(w.fleet, lead, 'team_tasks', { filter: 'unassigned' }));
  t.same(
    forLead.map((x: { subject: string }) => x.subject),
    ['hot task', 'cold task'],
  );

  // Once w1 is gone its edit warns nobody.
  await w.fleet.request('POST', '/orchestrate/dismiss/w1', { token: w.lead });
  await waitFor('w1 no longer live', async () => {
    const again = await runHook(w.fleet.url, w2.token, edit(join(repo, 'src/shared.ts')));
    return again === undefined ? true : undefined;
  });
});

/**
 * Bad input to the workers routes and tools, each a clear 4xx naming the field: handles, duplicate
 * and unknown workers, a send to a dismissed worker, working dirs, cursors and bodies; lead-only
 * routes and tools for anyone else; and team scoping (another team's lead cannot see, send to,
 * read or dismiss our workers).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { running, startWorkerFleet } from '../../test/kit/index.js';

t.test('handles must be 1–50 of [A-Za-z0-9_-]', async (t) => {
  const w = await startWorkerFleet(t);
  const bad: [string, unknown, RegExp][] = [
    ['empty', '', /^handle: must be 1–50 characters/],
    ['51 characters', 'a'.repeat(51), /^handle: must be 1–50 characters/],
    ['a space', 'has space', /^handle: may contain only letters, digits, _ and -/],
    ['shell syntax', '$(touch x)', /^handle: may contain only/],
    ['a semicolon', 'a;b', /^handle: may contain only/],
    ['a path', '../etc', /^handle: may contain only/],
    ['a slash', 'a/b', /^handle: may contain only/],
    ['a dot', 'a.b', /^handle: may contain only/],
    ['a colon (tmux target syntax)', 'fleet:0', /^handle: may contain only/],
    ['a percent (tmux pane id)', '%1', /^handle: may contain only/],
    ['non-ASCII', 'café', /^handle: may contain only/],
    ['a newline', 'a\nb', /^handle: may contain only/],
    ['a number', 42, /^handle: must be a string/],
    ['null', null, /^handle: must be a string/],
  ];
  for (const [what, handle, error] of bad) {
    const answer = await w.fleet.request('POST', '/orchestrate/spawn', {
      token: w.lead,
      body: { handle, workingDir: w.fleet.dataDir },
    });
    t.equal(answer.status, 400, `${what}: 400`);
    t.match(answer.body.error, error, `${what}: ${answer.body.error}`);
  }
  const missing = await w.fleet.request('POST', '/orchestrate/spawn', {
    token: w.lead,
    body: { workingDir: w.fleet.dataDir },
  });
  t.equal(missing.status, 400);
  t.match(missing.body.error, /^handle: /);
  t.same((await w.fleet.request('GET', '/orchestrate/workers', { token: w.lead })).body, [], 'no worker was made');
  const windows = (
    await w.fleet.kernel
      .api<{ tmux: { listPanes(s: string): Promise<{ windowName: string }[]> } }>('workers')!
      .tmux.listPanes('fleet')
  ).map((p) => p.windowName);
  t.same(windows, ['fleet'], 'no window was opened');

  for (const [route, method] of [
    ['send', 'POST'],
    ['output', 'GET'],
    ['dismiss', 'POST'],
  ] as const) {
    for (const handle of ['a.b', 'a'.repeat(51), '%241']) {
      const answer = await w.fleet.request(method, `/orchestrate/${route}/${handle}`, {
        token: w.lead,
        body: route === 'send' ? { message: 'x' } : undefined,
      });
      t.equal(answer.status, 400, `${route}/${handle.slice(0, 10)}: 400`);
      t.match(answer.body.error, /^handle: /);
    }
  }
  const tool = await w.fleet.request('POST', '/mcp/call', {
    token: w.lead,
    body: { name: 'team_spawn', arguments: { handle: 'bad handle' } },
  });
  t.ok(tool.body.isError);
  t.match(tool.body.content[0].text, /^FLEET_INVALID_INPUT: handle: may contain only/);

  for (const handle of ['a', 'Z-9_x', 'x'.repeat(50)]) {
    const answer = await w.spawn(handle);
    t.equal(answer.status, 201, `${handle.slice(0, 10)}… is a good handle`);
  }
});

t.test('duplicates, unknown workers, dismissed workers', async (t) => {
  const w = await startWorkerFleet(t);
  const { fleet } = w;
  t.equal((await w.spawn('w1', { initialPrompt: 'hi' })).status, 201);
  const dup = await w.spawn('w1');
  t.equal(dup.status, 409);
  t.match(dup.body, { error: 'Worker w1 already exists', state: String });

  for (const [method, path] of [
    ['POST', '/orchestrate/send/ghost'],
    ['GET', '/orchestrate/output/ghost'],
    ['POST', '/orchestrate/dismiss/ghost'],
  ] as const) {
    const answer = await fleet.request(method, path, {
      token: w.lead,
      body: path.includes('/send/') ? { message: 'hello' } : undefined,
    });
    t.equal(answer.status, 404, `${path}: 404`);
    t.equal(answer.body.error, 'Worker ghost not found');
  }
  const toolDismiss = await fleet.request('POST', '/mcp/call', {
    token: w.lead,
    body: { name: 'team_dismiss', arguments: { handle: 'ghost' } },
  });
  t.ok(toolDismiss.body.isError);
  t.equal(toolDismiss.body.content[0].text, 'WORKERS_NOT_FOUND: Worker ghost not found');

  for (const [what, body, error] of [
    ['no message', {}, /^message: /],
    ['an empty message', { message: '' }, /^message: is required/],
    ['a number', { message: 5 }, /^message: must be a string/],
    ['too long', { message: 'x'.repeat(50_001) }, /^message: must be at most 50000 characters/],
  ] as const) {
    const answer = await fleet.request('POST', '/orchestrate/send/w1', { token: w.lead, body });
    t.equal(answer.status, 400, `send with ${what}`);
    t.match(answer.body.error, error);
  }
  for (const query of ['cursor=-1', 'cursor=abc', 'cursor=1.5', 'limit=0', 'limit=1001', 'limit=x']) {
    const answer = await fleet.request('GET', `/orchestrate/output/w1?${query}`, { token: w.lead });
    t.equal(answer.status, 400, `output?${query}`);
    t.match(answer.body.error, /^(cursor|limit): /);
  }
  const beyond = await fleet.request('GET', '/orchestrate/output/w1?cursor=99999999', { token: w.lead });
  t.match(beyond, { status: 200, body: { lines: [] } }, 'a cursor past the end is just the end');

  await w.waitWorker('w1', (x) => x.state === 'idle', 'idle');
  t.equal((await fleet.request('POST', '/orchestrate/dismiss/w1', { token: w.lead })).status, 200);
  const late = await fleet.request('POST', '/orchestrate/send/w1', { token: w.lead, body: { message: 'anyone?' } });
  t.equal(late.status, 409, 'a send to a dismissed worker');
  t.equal(late.body.error, 'Worker w1 is not running (stopped)');
  const output = await fleet.request('GET', '/orchestrate/output/w1?cursor=0', { token: w.lead });
  t.equal(output.status, 200, 'a dismissed worker’s output can still be read');
  t.ok(output.body.lines.length > 0);
  t.equal(output.body.state, 'stopped');
});

t.test('workingDir and other spawn fields', async (t) => {
  const w = await startWorkerFleet(t);
  const file = join(w.fleet.dataDir, 'a-file');
  writeFileSync(file, 'x');
  const cases: [string, Record<string, unknown>, number, RegExp][] = [
    ['a relative workingDir', { workingDir: 'relative/dir' }, 400, /^workingDir: must be an absolute path/],
    ['a dot workingDir', { workingDir: '.' }, 400, /^workingDir: must be an absolute path/],
    [
      'a missing directory',
      { workingDir: '/nonexistent/dir' },
      400,
      /^workingDir: \/nonexistent\/dir is not a directory/,
    ],
    ['a file', { workingDir: file }, 400, /^workingDir: .*a-file is not a directory/],
    ['a workingDir that is not a string', { workingDir: 7 }, 400, /^workingDir: must be a string/],
    [
      'a very long workingDir',
      { workingDir: '/' + 'x'.repeat(600) },
      400,
      /^workingDir: must be at most 500 characters/,
    ],
    ['a prompt that is not a string', { initialPrompt: ['x'] }, 400, /^initialPrompt: must be a string/],
    ['worktree that is not a boolean', { worktree: 'yes' }, 400, /^worktree: must be true or false/],
    ['a bad adapter name', { adapter: 'Bad Name' }, 400, /^adapter: must be claude or a configured command name/],
    ['an unknown adapter', { adapter: 'aider' }, 400, /^adapter: no adapter aider \(available: claude\)/],
    ['another team', { teamName: 'beta' }, 403, /^teamName: you belong to team alpha, not beta/],
  ];
  for (const [what, extra, status, error] of cases) {
    const answer = await w.fleet.request('POST', '/orchestrate/spawn', {
      token: w.lead,
      body: { handle: 'w1', workingDir: w.fleet.dataDir, ...extra },
    });
    t.equal(answer.status, status, `${what}: ${status}`);
    t.match(answer.body.error, error, `${what}: ${answer.body.error}`);
  }
  t.same(
    (await w.fleet.request('GET', '/orchestrate/workers', { token: w.lead })).body,
    [],
    'none of them made a worker',
  );
  const queued = await w.fleet.request('POST', '/spawn-queue', {
    token: w.lead,
    body: { handle: 'q1', workingDir: 'relative' },
  });
  t.equal(queued.status, 400, 'the queue validates the same way');
  t.match(queued.body.error, /^workingDir: must be an absolute path/);
  const noBody = await w.fleet.request('POST', '/orchestrate/spawn', {
    token: w.lead,
    body: 'not json',
    headers: { 'content-type': 'application/json' },
  });
  t.equal(noBody.status, 400);
  t.equal((await w.fleet.request('GET', '/orchestrate/workers')).status, 401, 'no token: 401');
});

t.test('lead-only routes and tools, for anyone else', async (t) => {
  const w = await startWorkerFleet(t);
  const member = (await w.fleet.register('dev', 'alpha')).token;
  t.equal((await w.spawn('w1', { initialPrompt: 'hi' })).status, 201);
  const spawn = await w.fleet.request('POST', '/orchestrate/spawn', {
    token: member,
    body: { handle: 'w2', workingDir: w.fleet.dataDir },
  });
  t.equal(spawn.status, 403);
  t.equal(spawn.body.error, 'Insufficient permissions');
  t.equal((await w.fleet.request('POST', '/orchestrate/dismiss/w1', { token: member })).status, 403);
  t.equal(
    (
      await w.fleet.request('POST', '/spawn-queue', {
        token: member,
        body: { handle: 'w3', workingDir: w.fleet.dataDir },
      })
    ).status,
    403,
  );
  t.equal((await w.fleet.request('DELETE', '/spawn-queue/1', { token: member })).status, 403);
  t.equal((await w.fleet.request('POST', '/orchestrate/worktree/w1/push', { token: member })).status, 403);
  t.equal(
    (await w.fleet.request('POST', '/orchestrate/worktree/w1/pr', { token: member, body: { title: 't', body: 'b' } }))
      .status,
    403,
  );

  const tools: [string, Record<string, unknown>][] = [
    ['team_spawn', { handle: 'w2', workingDir: w.fleet.dataDir }],
    ['team_dismiss', { handle: 'w1' }],
    ['spawn_request', { handle: 'w2', workingDir: w.fleet.dataDir }],
    ['spawn_cancel', { id: 1 }],
    ['worktree_push', { handle: 'w1' }],
    ['worktree_pr', { handle: 'w1', title: 't', body: 'b' }],
  ];
  for (const [name, args] of tools) {
    const result = (await w.fleet.request('POST', '/mcp/call', { token: member, body: { name, arguments: args } }))
      .body;
    t.ok(result.isError, `${name} for a worker is an error`);
    t.equal(
      result.content[0].text,
      'FLEET_INSUFFICIENT_PERMISSIONS: Insufficient permissions {"required":"team-lead","current":"worker"}',
      name,
    );
  }
  t.equal((await w.worker('w1')).state !== 'stopped', true, 'w1 was not dismissed');
  t.same(
    ((await w.fleet.request('GET', '/orchestrate/workers', { token: w.lead })).body as any[]).map((x) => x.handle),
    ['w1'],
    'and nothing was spawned',
  );
  // What a member may do: list, read output, send.
  t.equal((await w.fleet.request('GET', '/orchestrate/workers', { token: member })).status, 200);
  t.equal((await w.fleet.request('GET', '/orchestrate/output/w1', { token: member })).status, 200);
  const workers = (
    await w.fleet.request('POST', '/mcp/call', { token: member, body: { name: 'team_workers', arguments: {} } })
  ).body;
  t.notOk(workers.isError);
});

t.test('another team’s lead cannot see, send to, read or dismiss our workers', async (t) => {
  const w = await startWorkerFleet(t);
  const { fleet } = w;
  const stranger = (await fleet.register('lead', 'beta', 'team-lead')).token;
  t.equal((await w.spawn('ours', { initialPrompt: 'hi' })).status, 201);
  await w.waitWorker('ours', (x) => x.state === 'idle', 'idle');
  const host = w.host('ours');

  t.same((await fleet.request('GET', '/orchestrate/workers', { token: stranger })).body, [], 'not listed for them');
  const listed = (
    await fleet.request('POST', '/mcp/call', { token: stranger, body: { name: 'team_workers', arguments: {} } })
  ).body;
  t.same(JSON.parse(listed.content[0].text), []);
  for (const [method, path] of [
    ['POST', '/orchestrate/send/ours'],
    ['GET', '/orchestrate/output/ours?cursor=0'],
    ['POST', '/orchestrate/dismiss/ours'],
  ] as const) {
    const answer = await fleet.request(method, path, {
      token: stranger,
      body: path.includes('/send/') ? { message: 'hijack' } : undefined,
    });
    t.equal(answer.status, 404, `${method} ${path}: 404 for another team`);
    t.equal(answer.body.error, 'Worker ours not found', 'as if it did not exist');
  }
  for (const [name, args] of [
    ['team_dismiss', { handle: 'ours' }],
    ['team_send', { handle: 'ours', message: 'hijack' }],
  ] as const) {
    const result = (await fleet.request('POST', '/mcp/call', { token: stranger, body: { name, arguments: args } }))
      .body;
    t.ok(result.isError, `${name} from another team is an error`);
  }
  const spawnBeta = await fleet.request('POST', '/orchestrate/spawn', {
    token: stranger,
    body: { handle: 'theirs', workingDir: fleet.dataDir, teamName: 'alpha' },
  });
  t.equal(spawnBeta.status, 403, 'nor spawn into our team');
  // A worker is its team and its handle: our handle is theirs to use too, and nothing they get
  // from it tells them about our worker.
  const same = await fleet.request('POST', '/orchestrate/spawn', {
    token: stranger,
    body: { handle: 'ours', workingDir: fleet.dataDir },
  });
  t.equal(same.status, 201, 'our handle spawns a worker of their own');
  t.match(same.body, { handle: 'ours', teamName: 'beta', restartCount: 0, result: null, numTurns: null });
  t.notMatch(JSON.stringify(same.body), /alpha/, 'and the answer tells nothing about our worker');
  const queued = await fleet.request('POST', '/spawn-queue', {
    token: stranger,
    body: { handle: 'ours', workingDir: fleet.dataDir },
  });
  t.match(queued, { status: 409, body: { code: 'WORKERS_EXISTS' } }, 'their own live ours refuses a second');
  t.equal((await fleet.request('POST', '/orchestrate/dismiss/ours', { token: stranger })).status, 200);
  const ours = await w.worker('ours');
  t.match(ours, { state: 'idle', numTurns: 1, teamName: 'alpha' }, 'their dismiss stopped only theirs');
  t.ok(running(host.hostPid) && running(host.agentPid), 'and ours still runs');

  // Once ours is dismissed, our record stays ours: their spawn of the handle makes their own again.
  t.equal((await fleet.request('POST', '/orchestrate/dismiss/ours', { token: w.lead })).status, 200);
  const after = await fleet.request('POST', '/orchestrate/spawn', {
    token: stranger,
    body: { handle: 'ours', workingDir: fleet.dataDir },
  });
  t.match(after, { status: 201, body: { teamName: 'beta', result: null } });
  t.match(await w.worker('ours'), { teamName: 'alpha', state: 'stopped', result: 'ack: hi' }, 'our record stays ours');
  const mine = await fleet.request('POST', '/orchestrate/spawn', {
    token: stranger,
    body: { handle: 'theirs-only', workingDir: fleet.dataDir },
  });
  t.equal(mine.status, 201, 'a handle of their own is fine');
  t.same(
    ((await fleet.request('GET', '/orchestrate/workers', { token: w.lead })).body as any[]).map((x) => x.handle),
    ['ours'],
    'and we see none of theirs',
  );
  t.same(
    ((await fleet.request('GET', '/orchestrate/workers', { token: stranger })).body as any[]).map((x) => [
      x.handle,
      x.teamName,
    ]),
    [
      ['ours', 'beta'],
      ['theirs-only', 'beta'],
    ],
    'nor they ours',
  );
});

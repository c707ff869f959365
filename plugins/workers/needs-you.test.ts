/**
 * Tool calls the agent was refused for want of permission (Claude Code's `permission_denials`, in a
 * turn that still ends as a success) are not dropped: the worker says it needs a person, with the
 * tool and its input, in the API and as an event, until a turn goes by without any.
 */
import t from 'tap';
import { EventSocket, startWorkerFleet, tmuxSync, waitFor } from '../../test/kit/index.js';

t.test('a refused tool call: the worker needs you (tool and input), an event, cleared by a clean turn', async (t) => {
  const w = await startWorkerFleet(t);
  const ws = await EventSocket.open(t, w.fleet.url, w.lead);
  const prompt = 'DENY Bash {"command":"touch notes.txt","description":"create the notes file"}';
  t.equal((await w.spawn('careful', { initialPrompt: prompt })).status, 201);
  const idle = await w.waitWorker('careful', (x) => x.state === 'idle', 'turn done');
  t.match(
    idle.needsYou,
    {
      reason: 'permission_denied',
      denials: [{ tool: 'Bash', input: '{"command":"touch notes.txt","description":"create the notes file"}' }],
    },
    'the worker says what it was refused',
  );
  t.type(idle.needsYou.since, 'number');
  const event = await ws.waitFor('worker_needs_you', (m) => m.type === 'worker_needs_you' && m.handle === 'careful');
  t.match(event, { reason: 'permission_denied', denials: [{ tool: 'Bash', toolUseId: /^toolu_/ }] });
  const marked = await waitFor('the status line to mark it', () => {
    const line = tmuxSync(w.socket, ['show-options', '-gv', '@fleet_workers']);
    return line.includes(`${w.team}/careful:idle!`) ? line : undefined;
  });
  t.match(marked, /^! 1 needs you · /, 'the tmux status line leads with who needs a person');

  const sent = await w.fleet.request('POST', '/orchestrate/send/careful', { token: w.lead, body: { message: 'ok' } });
  t.equal(sent.status, 200);
  const after = await w.waitWorker('careful', (x) => x.state === 'idle' && x.numTurns === 2, 'a clean turn');
  t.equal(after.needsYou, null, 'a turn without refusals clears it');
  await waitFor(
    'the mark to go',
    () =>
      tmuxSync(w.socket, ['show-options', '-gv', '@fleet_workers']).includes(`${w.team}/careful:idle`) &&
      !tmuxSync(w.socket, ['show-options', '-gv', '@fleet_workers']).includes('!'),
  );
});

t.test('a refused call with a huge input is kept bounded', async (t) => {
  const w = await startWorkerFleet(t);
  const big = JSON.stringify({ file_path: '/tmp/x', content: 'y'.repeat(20_000) });
  t.equal((await w.spawn('big', { initialPrompt: `DENY Write ${big}` })).status, 201);
  const idle = await w.waitWorker('big', (x) => x.state === 'idle', 'turn done');
  t.equal(idle.needsYou.denials[0].tool, 'Write');
  t.equal(idle.needsYou.denials[0].input.length, 500, 'the input is cut to 500 characters');
  t.match(idle.needsYou.denials[0].input, /^\{"file_path":"\/tmp\/x","content":"yyy.*…$/);
});

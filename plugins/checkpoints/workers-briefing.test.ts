/**
 * With the workers plugin: an accepted checkpoint is in the first prompt of a worker spawned under
 * its recipient's handle (after the mail briefing, before the spawn's own prompt), fenced as data,
 * once: the same handle spawned again gets it no more. Pending ones are named there; rejected ones
 * never appear. Real fleet, the fake agent as `claude` in a real tmux pane; its ECHO directive
 * answers with the whole prompt it received.
 */
import t from 'tap';
import { startWorkerFleet } from '../../test/kit/index.js';

t.test('an accepted checkpoint reaches the first prompt of the worker it is for, once', async (t) => {
  const w = await startWorkerFleet(t, { plugins: { checkpoints: true } });
  const call = async (method: string, path: string, body?: unknown) => {
    const answer = await w.fleet.request(method, path, { token: w.lead, body });
    if (answer.status !== 200 && answer.status !== 201)
      throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  };

  // w1 works, then hands over to w2 (not spawned yet): the lead writes the checkpoint for w1.
  await call('POST', '/orchestrate/spawn', { handle: 'w1', workingDir: w.fleet.dataDir, initialPrompt: 'start' });
  await w.waitWorker('w1', (x) => x.state === 'idle' && x.numTurns === 1, 'idle after its first turn');
  const handover = await call('POST', '/checkpoints', {
    fromHandle: 'w1',
    toHandle: 'w2',
    goal: 'Ship the parser',
    now: 'Error recovery half done',
    test: 'npm test -- parser',
    next: ['finish recovery'],
    filesModified: ['src/parser.ts'],
  });
  const rejected = await call('POST', '/checkpoints', { toHandle: 'w2', goal: 'An abandoned plan', now: 'n' });
  const waiting = await call('POST', '/checkpoints', { fromHandle: 'w1', toHandle: 'w2', goal: 'Later', now: 'n' });
  await call('POST', `/checkpoints/${handover.id}/accept`, { note: 'w2 takes over' });
  await call('POST', `/checkpoints/${rejected.id}/reject`, {});
  await call('POST', '/mail', { to: 'w2', body: 'welcome w2' });

  const spawned = await w.spawn('w2', { initialPrompt: 'ECHO' });
  t.equal(spawned.status, 201, JSON.stringify(spawned.body));
  const idle = await w.waitWorker('w2', (x) => x.state === 'idle' && x.numTurns === 1, 'idle after its first turn');
  const prompt = idle.result as string;
  const at = (text: string) => prompt.indexOf(text);
  t.match(prompt, /^You have 1 unread mail message/, 'the mail briefing first');
  t.ok(at('Accepted checkpoints for you (1)') > at('welcome w2'), 'then the checkpoints');
  t.match(prompt, `[fleet] checkpoint #${handover.id} from w1.`, 'fenced, naming its author');
  t.match(prompt, /<<<fleet-data [0-9a-f]+\nGoal: Ship the parser\nNow: Error recovery half done\nTest: npm test/);
  t.match(prompt, 'Files modified:\n- src/parser.ts');
  t.match(prompt, /note on checkpoint #\d+, accepted from lead\./);
  t.match(prompt, `waiting for you to accept or reject (1): #${waiting.id} from w1.`, 'the pending one named');
  t.notMatch(prompt, /An abandoned plan/, 'a rejected one never');
  t.notMatch(prompt, /Later/, 'a pending one is not shown whole');
  t.ok(prompt.endsWith('\n\nECHO'), 'the spawn’s own prompt last');
  t.ok((await call('GET', `/checkpoints/${handover.id}`)).deliveredAt > 0, 'recorded as delivered');

  // The same handle spawned again: the checkpoint was given once.
  await call('POST', '/orchestrate/dismiss/w2');
  const again = await w.spawn('w2', { initialPrompt: 'ECHO' });
  t.equal(again.status, 201, JSON.stringify(again.body));
  const second = await w.waitWorker('w2', (x) => x.state === 'idle' && x.numTurns === 1, 'idle in its new session');
  t.notMatch(second.result, /Ship the parser/, 'not given twice');
  t.match(second.result, `#${waiting.id} from w1`, 'the pending one is still named until decided');
});

/**
 * Briefing sources (what the checkpoints and sessions plugins put into a worker's first prompt):
 * each source's text follows the mail briefing, in the order the sources were added, before the
 * spawn's own prompt; a source that throws or has nothing is left out; a removed one is gone; a
 * restart with --resume gets none. Real fleet, the fake agent as `claude` in a real tmux pane; its
 * ECHO directive answers with the whole prompt it received.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { startWorkerFleet } from '../../test/kit/index.js';
import type { WorkersApi } from './index.js';

const firstPrompt = (dir: string) =>
  (JSON.parse(readFileSync(join(dir, 'spawn.json'), 'utf8')) as { initialPrompt?: string }).initialPrompt;

t.test('briefing sources: in order after the mail briefing, before the prompt; failures left out', async (t) => {
  const w = await startWorkerFleet(t);
  const api = w.fleet.kernel.api<WorkersApi>('workers')!;
  const asked: string[] = [];
  const removeFirst = api.addBriefingSource({
    name: 'first',
    briefing: async (teamName, handle) => {
      asked.push(`${teamName}/${handle}`);
      return `FIRST for ${handle}`;
    },
  });
  api.addBriefingSource({
    name: 'broken',
    briefing: async () => {
      throw new Error('no database');
    },
  });
  api.addBriefingSource({ name: 'quiet', briefing: async () => undefined });
  api.addBriefingSource({ name: 'second', briefing: async () => 'SECOND' });

  // Mail waits for w1, so the mail briefing comes first.
  const mail = await w.fleet.request('POST', '/mail', { token: w.lead, body: { to: 'w1', body: 'hello w1' } });
  t.equal(mail.status, 200, JSON.stringify(mail.body));
  const spawned = await w.spawn('w1', { initialPrompt: 'ECHO' });
  t.equal(spawned.status, 201, JSON.stringify(spawned.body));
  const idle = await w.waitWorker('w1', (x) => x.state === 'idle' && x.numTurns === 1, 'idle after its first turn');
  const prompt = idle.result as string;
  t.match(prompt, /^You have 1 unread mail message/, 'the mail briefing comes first');
  const at = (text: string) => prompt.indexOf(text);
  t.ok(at('hello w1') > 0 && at('FIRST for w1') > at('hello w1'), 'then the first source');
  t.ok(at('SECOND') > at('FIRST for w1'), 'then the second, in the order they were added');
  t.ok(prompt.endsWith('\n\nECHO'), 'and the spawn’s own prompt last');
  t.notMatch(prompt, /no database/, 'a source that throws is left out');
  t.same(asked, ['alpha/w1'], 'a source is asked for the worker being launched, by team and handle');
  t.ok(
    w.fleet.logs.some((line) => line.includes('briefing source broken failed for alpha/w1')),
    'the failure is logged',
  );

  // Without a prompt of its own and no mail, the sources are the whole first prompt.
  await w.spawn('w2');
  await w.waitWorker('w2', (x) => x.state === 'idle' && x.numTurns === 1, 'idle after its first turn');
  t.equal(firstPrompt(w.workerDir('w2')), 'FIRST for w2\n\nSECOND');

  // A removed source is not asked again; removing twice is harmless.
  removeFirst();
  removeFirst();
  await w.spawn('w3', { initialPrompt: 'ECHO' });
  const third = await w.waitWorker('w3', (x) => x.state === 'idle' && x.numTurns === 1, 'idle after its first turn');
  t.equal(third.result, 'SECOND\n\nECHO', 'only the sources still added');
  t.same(asked, ['alpha/w1', 'alpha/w2'], 'the removed source was not asked for w3');

  // A restart resumes the session: its prompt is the restart note, not a briefing.
  const crashed = await w.fleet.request('POST', '/orchestrate/send/w3', { token: w.lead, body: { message: 'CRASH' } });
  t.equal(crashed.status, 200, JSON.stringify(crashed.body));
  await w.waitWorker('w3', (x) => x.restartCount === 1 && x.state === 'idle', 'restarted and idle');
  t.notMatch(firstPrompt(w.workerDir('w3')) ?? '', /SECOND/, 'no briefing on a restart with --resume');
});

/**
 * Facts find the agent: a worker's first prompt carries what its team knows that matches its task
 * (team memory and its own, documents), fenced as reference data with where each came from, within
 * briefingChars; nothing unrelated, nothing of another worker's memory or another team. A running
 * worker assigned a task is sent the same for that task. Real fleet, the fake agent as `claude` in a
 * real tmux pane; its ECHO directive answers with the whole prompt it received.
 */
import t from 'tap';
import { startWorkerFleet, waitFor } from '../../../test/kit/index.js';

t.test('a worker’s first prompt carries the relevant memory and documents; a task it is given, too', async (t) => {
  const w = await startWorkerFleet(t, { plugins: { knowledge: { briefingChars: 1500 } } });
  const call = async (method: string, path: string, body?: unknown, token = w.lead) => {
    const answer = await w.fleet.request(method, path, { token, body });
    if (answer.status >= 300) throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  };
  await call('POST', '/memory/store', {
    key: 'tokenizer-quirk',
    value: 'The tokenizer treats a tab as two spaces',
    scope: 'team',
  });
  await call('POST', '/memory/store', { key: 'deploy-day', value: 'Deploy on Fridays only', scope: 'team' });
  const w9 = await w.fleet.register('w9', 'alpha');
  await call('POST', '/memory/store', { key: 'w9-notes', value: 'my private tokenizer notes' }, w9.token);
  const beta = await w.fleet.register('beta-w1', 'beta');
  await call('POST', '/memory/store', { key: 'beta-tok', value: 'beta tokenizer fact', scope: 'team' }, beta.token);
  await call('POST', '/knowledge/ingest', {
    source: 'docs/tokenizer.md',
    content: '# Tokenizer\nThe tokenizer lives in src/lex.ts and is tested by lex.test.ts.',
  });

  const spawned = await w.spawn('w1', {
    initialPrompt: 'ECHO\nWHEN For the task you now hold => ECHO\nFix the tokenizer bug',
  });
  t.equal(spawned.status, 201, JSON.stringify(spawned.body));
  const idle = await w.waitWorker('w1', (x) => x.state === 'idle' && x.numTurns === 1, 'idle after its first turn');
  const prompt = idle.result as string;
  t.match(prompt, /What your team already knows that matches your task/);
  t.match(
    prompt,
    /\[fleet\] reference data from team alpha's knowledge\. .*\n<<<fleet-data [0-9a-f]+\n/,
    'fenced as data',
  );
  t.match(prompt, '- team memory "tokenizer-quirk": The tokenizer treats a tab as two spaces', 'the memory, named');
  const documentLine = /- document "docs\/tokenizer\.md › Tokenizer": (The )?tokenizer lives in src\/lex\.ts/;
  t.match(prompt, documentLine, 'the document (PostgreSQL’s headline may start at the word found)');
  t.ok(prompt.indexOf('tokenizer-quirk') < prompt.indexOf('docs/tokenizer.md'), 'memory first');
  t.notMatch(prompt, /Deploy on Fridays/, 'nothing unrelated');
  t.notMatch(prompt, /private tokenizer notes|beta tokenizer/, 'not another worker’s memory, not another team’s');
  const briefing = prompt.slice(0, prompt.indexOf('\n\nECHO'));
  t.ok(briefing.length <= 1500, `within briefingChars (${briefing.length})`);
  t.ok(
    prompt.endsWith('\n\nECHO\nWHEN For the task you now hold => ECHO\nFix the tokenizer bug'),
    'its own prompt last',
  );

  // Given a task while it runs: the facts for that task are sent to it.
  await call('POST', '/memory/store', {
    key: 'lexer-speed',
    value: 'The lexer is fastest with a sticky regex',
    scope: 'team',
  });
  await call('POST', '/tasks', { toHandle: 'w1', subject: 'Speed up the lexer' });
  // Its answers (the ECHO of what it was sent) are in its output; the task's DM makes a turn of its own.
  const told = await waitFor(
    'w1 told about the lexer',
    async () => {
      const text = (await w.allOutput('w1')).map((line) => line.text).join('\n');
      return text.includes('lexer-speed') ? text : undefined;
    },
    20_000,
  );
  t.match(told, 'For the task you now hold, \\"Speed up the lexer\\"', 'as input (JSON in the log)');
  t.match(told, 'team memory \\"lexer-speed\\": The lexer is fastest with a sticky regex');
});

t.test('briefingChars 0: no knowledge briefing', async (t) => {
  const w = await startWorkerFleet(t, { plugins: { knowledge: { briefingChars: 0 } } });
  await w.fleet.request('POST', '/memory/store', {
    token: w.lead,
    body: { key: 'tokenizer-quirk', value: 'tabs are two spaces', scope: 'team' },
  });
  await w.spawn('w1', { initialPrompt: 'ECHO\nFix the tokenizer' });
  const idle = await w.waitWorker('w1', (x) => x.state === 'idle' && x.numTurns === 1, 'idle after its first turn');
  t.equal(idle.result, 'ECHO\nFix the tokenizer');
});

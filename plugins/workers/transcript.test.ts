/**
 * GET /orchestrate/transcript/:handle: a worker's log rendered as its pane shows it (the dashboard's
 * terminal view): the tail, the live tail from a cursor without the session named again, the page
 * before an offset, pages of a log larger than one page aligned to whole lines, and refusals.
 */
import t from 'tap';
import { plain } from '../../core/index.js';
import { startWorkerFleet } from '../../test/kit/index.js';

t.test('the tail, the live tail from a cursor and the page before an offset, rendered', async (t) => {
  const w = await startWorkerFleet(t);
  const { fleet } = w;
  const get = (path: string, token = w.lead) => fleet.request('GET', path, { token });
  t.equal((await w.spawn('w1', { initialPrompt: 'first words' })).status, 201);
  await w.waitWorker('w1', (worker) => worker.state === 'idle', 'idle after its first turn');

  const first = await get('/orchestrate/transcript/w1');
  t.equal(first.status, 200, JSON.stringify(first.body));
  t.match(first.body, { handle: 'w1', state: 'idle', format: 'ndjson', start: 0 });
  const firstLines: string[] = first.body.lines;
  const shown = firstLines.map(plain);
  const session = (await w.worker('w1')).sessionId as string;
  t.ok(
    shown.some((line) => line.startsWith(`● session ${session}`)),
    'the session is named',
  );
  t.ok(shown.includes('› first words'), 'the input, as the pane shows it');
  t.ok(shown.includes('ack: first words'), 'what the agent said');
  t.ok(
    shown.some((line) => line.startsWith('■ done')),
    'the turn’s end',
  );
  t.ok(
    firstLines.some((line) => line.includes('\x1b[')),
    'with the pane’s colours',
  );
  t.notOk(
    shown.some((line) => line.startsWith('{')),
    'no raw JSON',
  );

  // The live tail: what follows the cursor, without the session named again.
  const sent = await fleet.request('POST', '/orchestrate/send/w1', { token: w.lead, body: { message: 'more words' } });
  t.equal(sent.status, 200, JSON.stringify(sent.body));
  await w.waitWorker('w1', (worker) => worker.numTurns === 2 && worker.state === 'idle', 'idle after a second turn');
  const next = await get(`/orchestrate/transcript/w1?cursor=${first.body.cursor}`);
  t.equal(next.status, 200, JSON.stringify(next.body));
  const nextShown = (next.body.lines as string[]).map(plain);
  t.equal(next.body.start, first.body.cursor, 'it starts at the cursor');
  t.ok(nextShown.includes('› more words') && nextShown.includes('ack: more words'), JSON.stringify(nextShown));
  t.notOk(
    nextShown.some((line) => line.startsWith('● session')),
    'the session shown before is not named again',
  );
  const after = await get(`/orchestrate/transcript/w1?cursor=${next.body.cursor}`);
  t.same(after.body.lines, [], 'nothing after the end');
  t.equal(after.body.cursor, next.body.cursor, 'and the cursor stays');

  // The page before an offset: the first turn again, as it was shown.
  const before = await get(`/orchestrate/transcript/w1?before=${first.body.cursor}`);
  t.equal(before.status, 200);
  t.same(before.body.lines, firstLines, 'the page before the first cursor is the first transcript');
  t.equal(before.body.start, 0);

  // Any agent of the team reads it; another team's lead and an unknown handle get 404; both cursors, 400.
  const worker = (await fleet.register('reader', 'alpha', 'worker')).token;
  t.equal((await get('/orchestrate/transcript/w1', worker)).status, 200, 'a worker of the team reads it');
  const beta = (await fleet.register('lead-beta', 'beta', 'team-lead')).token;
  const other = await get('/orchestrate/transcript/w1', beta);
  t.equal(other.status, 404, 'another team: 404');
  t.equal(other.body.code, 'WORKERS_NOT_FOUND');
  t.equal((await get('/orchestrate/transcript/nobody')).status, 404, 'an unknown worker: 404');
  const both = await get('/orchestrate/transcript/w1?cursor=0&before=10');
  t.equal(both.status, 400);
  t.match(both.body, { code: 'FLEET_INVALID_INPUT', field: 'before' });
  t.equal((await get('/orchestrate/transcript/w1?cursor=-1')).status, 400, 'a negative cursor: 400');
});

t.test('a log larger than a page: pages of whole lines, back to its beginning', async (t) => {
  const w = await startWorkerFleet(t);
  const { fleet } = w;
  const registered = await fleet.request('POST', '/orchestrate/workers/register', {
    token: w.lead,
    body: { handle: 'ext', format: 'text' },
  });
  t.equal(registered.status, 201, JSON.stringify(registered.body));
  // 5 pushes of 20,000 lines of 48 bytes: 4.8 MB, more than a page of 4 MiB.
  const pad = 'x'.repeat(40);
  const total = 100_000;
  for (let push = 0; push < 5; push++) {
    const lines = Array.from({ length: 20_000 }, (_, i) => `${String(push * 20_000 + i).padStart(6, '0')} ${pad}`);
    const pushed = await fleet.request('POST', '/orchestrate/workers/ext/output', {
      token: w.lead,
      body: { output: lines.join('\n') },
    });
    t.equal(pushed.status, 200, JSON.stringify(pushed.body));
  }
  const get = (query: string) => fleet.request('GET', `/orchestrate/transcript/ext${query}`, { token: w.lead });
  const tail = await get('');
  t.equal(tail.status, 200);
  t.equal(tail.body.format, 'text');
  t.ok(tail.body.start > 0, 'the tail starts mid-log');
  const tailLines: string[] = tail.body.lines;
  t.equal(tailLines[tailLines.length - 1], `099999 ${pad}`, 'it ends with the last line');
  t.match(tailLines[0], /^\d{6} x{40}$/, 'it starts with a whole line');
  t.equal(tail.body.start, Number(tailLines[0]!.slice(0, 6)) * 48, 'start is that line’s offset');

  const earlier = await get(`?before=${tail.body.start}`);
  t.equal(earlier.status, 200);
  t.equal(earlier.body.start, 0, 'the page before it reaches the beginning');
  const all = [...(earlier.body.lines as string[]), ...tailLines];
  t.equal(all.length, total, 'every line once');
  t.ok(
    all.every((line, i) => line.startsWith(String(i).padStart(6, '0'))),
    'in order, none twice',
  );
});

/**
 * One query across everything a team knows (POST /knowledge/search-all and the knowledge_search
 * tool): documents, memory, code summaries, tasks, the caller's mail and open handoffs, through the
 * real plugins. Each hit names its kind and where it came from; a worker sees its team's memory and
 * its own, not another worker's; another team's things never appear. SQLite or PostgreSQL.
 */
import t from 'tap';
import { as, callTool, registerTeam, startCoordination, toolJson } from '../../../test/kit/index.js';

t.test('search-all: every kind of the caller’s team, each hit saying what it is', async (t) => {
  const fleet = await startCoordination(t, { plugins: { auth: true, mail: true, tasks: true, knowledge: true } });
  const alpha = await registerTeam(fleet, 'alpha', ['alpha-w1', 'alpha-w2']);
  const beta = await registerTeam(fleet, 'beta', ['beta-w1']);
  const [w1, w2] = alpha.workers as [(typeof alpha.workers)[0], (typeof alpha.workers)[0]];
  const ok = async (answer: Promise<{ status: number; body: any }>) => {
    const { status, body } = await answer;
    if (status >= 300) throw new Error(`${status} ${JSON.stringify(body)}`);
    return body;
  };
  const word = 'zanzibar';
  await ok(as(fleet, w1, 'POST', '/knowledge/ingest', { source: 'guide.md', content: `# Trips\nThe ${word} ferry.` }));
  await ok(as(fleet, w1, 'POST', '/memory/store', { key: 'ferry-times', value: `${word} ferry at 9`, scope: 'team' }));
  await ok(as(fleet, w2, 'POST', '/memory/store', { key: 'w2-private', value: `${word} is my secret` }));
  await ok(
    as(fleet, w1, 'POST', '/tldr/summary/store', {
      filePath: 'src/ferry.ts',
      contentHash: 'abc',
      summary: `Books the ${word} ferry`,
    }),
  );
  await ok(as(fleet, alpha.lead, 'POST', '/mail', { to: 'alpha-w1', subject: 'Trip', body: `Go to ${word}` }));
  await ok(as(fleet, alpha.lead, 'POST', '/mail', { to: 'alpha-w2', body: `w2 only: ${word}` }));
  await ok(as(fleet, alpha.lead, 'POST', '/tasks', { subject: `Plan the ${word} trip`, description: 'by boat' }));
  await ok(as(fleet, w2, 'POST', '/handoffs', { to: 'alpha-w1', context: { note: `${word} tickets booked` } }));
  // Beta has the same word everywhere it can.
  await ok(as(fleet, beta.workers[0]!, 'POST', '/knowledge/ingest', { source: 'beta.md', content: `${word} beta` }));
  await ok(as(fleet, beta.workers[0]!, 'POST', '/memory/store', { key: 'b', value: `${word} beta`, scope: 'team' }));
  await ok(as(fleet, beta.lead, 'POST', '/tasks', { subject: `Beta ${word} task` }));

  const all = await ok(as(fleet, w1, 'POST', '/knowledge/search-all', { query: word }));
  const kinds = all.results.map((hit: any) => hit.kind).sort();
  t.same(kinds, ['document', 'handoff', 'mail', 'memory', 'summary', 'task'], 'one of each kind, nothing more');
  t.same(all.searched.sort(), ['document', 'handoff', 'mail', 'memory', 'summary', 'task']);
  const of = (kind: string) => all.results.find((hit: any) => hit.kind === kind);
  t.match(of('document'), { title: 'guide.md › Trips', from: { source: 'guide.md', heading: 'Trips' } });
  t.match(of('memory'), { title: 'ferry-times', from: { key: 'ferry-times', scope: 'team' } });
  t.match(of('summary'), { from: { path: 'src/ferry.ts' } });
  t.match(of('mail'), { title: 'Trip', from: { fromHandle: 'lead-alpha' } });
  t.match(of('task'), { title: `Plan the ${word} trip` });
  t.match(of('handoff'), { from: { fromHandle: 'alpha-w2' } });
  for (const hit of all.results) {
    t.match(hit.snippet, new RegExp(`<b>${word}</b>`, 'i'), `${hit.kind}: the word highlighted`);
    t.ok(hit.score > 0 && hit.score <= 1, `${hit.kind}: a score in (0, 1]`);
  }
  t.notMatch(JSON.stringify(all), /beta|secret|w2 only/, 'no other team, no other worker’s memory or mail');

  // A lead sees its workers' memory too; kinds narrows the search.
  const lead = await ok(
    as(fleet, alpha.lead, 'POST', '/knowledge/search-all', { query: word, kinds: ['memory', 'document'] }),
  );
  t.same(lead.results.map((hit: any) => hit.title).sort(), ['ferry-times', 'guide.md › Trips', 'w2-private']);
  t.same(lead.skipped.sort(), ['handoff', 'mail', 'summary', 'task']);

  // Every word must match.
  t.equal((await ok(as(fleet, w1, 'POST', '/knowledge/search-all', { query: `${word} nonexistentword` }))).count, 0);

  // The tool is the unified search.
  const tool = toolJson(await callTool(fleet, w1, 'knowledge_search', { query: word, limit: 3 }));
  t.equal(tool.count, 3);
  const betaView = await ok(as(fleet, beta.workers[0]!, 'POST', '/knowledge/search-all', { query: word }));
  t.same(betaView.results.map((hit: any) => hit.kind).sort(), ['document', 'memory', 'task']);
  t.notMatch(JSON.stringify(betaView), /guide|ferry|alpha/);
});

t.test('search-all without mail and tasks: those kinds are skipped, not errors', async (t) => {
  const fleet = await startCoordination(t, { plugins: { auth: true, knowledge: true } });
  const { workers } = await registerTeam(fleet, 'alpha', ['alpha-w1']);
  await as(fleet, workers[0]!, 'POST', '/knowledge/ingest', { source: 'a.md', content: 'walrus' });
  const answer = await as(fleet, workers[0]!, 'POST', '/knowledge/search-all', { query: 'walrus' });
  t.equal(answer.status, 200);
  t.same(answer.body.skipped.sort(), ['handoff', 'mail', 'task']);
  t.equal(answer.body.results[0].kind, 'document');
});

/**
 * Ranking on a known corpus, straight on the service and the search (no HTTP), on the run's engine:
 * the expected top hits for a set of queries (heading weight, term frequency against length,
 * stemming, every word against any), recency raising newer text and weighed against relevance,
 * and the chunker's cuts (heading paths, code fences, size with overlap).
 */
import { sql } from 'kysely';
import t from 'tap';
import { type TestLike, testDatabase, testStorage, tempDir } from '../../../test/kit/index.js';
import { openTestDatabase } from '../memory/test-database.js';
import { documentsMigration } from '../migrations/0001-documents.js';
import { chunkDocument } from './chunker.js';
import { DocumentService } from './document-service.js';
import { type Ranking, searchDocuments } from './search.js';
import { searchTerms } from './terms.js';

const DAY = 86_400_000;

const CORPUS: Record<string, string> = {
  'ops/migrations.md': '# Database migrations\nEvery migration runs in a transaction. Roll a migration back with down.',
  'ops/backups.md': '# Backups\nThe database is copied nightly. Restores take an hour.',
  'dev/testing.md':
    '# Testing\nThe runner needs a flag. Flags go after the file names.\n## Fixtures\nFixtures live in test/.',
  'dev/style.md': '# Style\nLines fit in 120 characters. Names are kebab-case. A flag is a boolean option.',
  'dev/long.md': `# Notes\n${'Unrelated filler words about many other things. '.repeat(40)}One mention of a flag.`,
  'team/people.md': '# People\nAsk the lead about access to the database.',
};

async function setup(t: TestLike) {
  const where =
    testStorage() === 'postgres'
      ? { dialect: 'postgres' as const, url: await testDatabase(t) }
      : { dialect: 'sqlite' as const, dir: tempDir(t) };
  const db = await openTestDatabase(where, [documentsMigration], 2);
  t.teardown(() => db.destroy());
  const service = new DocumentService(db, () => ({ maxChars: 1200, overlapChars: 150 }));
  const search = (query: string, ranking: Partial<Ranking> = {}, match: 'all' | 'any' = 'all') =>
    searchDocuments(
      db,
      where.dialect,
      'alpha',
      { terms: searchTerms(query), match, limit: 10, offset: 0 },
      { recencyWeight: 0.5, halfLifeMs: 30 * DAY, now: Date.now(), ...ranking },
    ).then(({ results }) => results.map((hit) => hit.source));
  return { db, service, search };
}

t.test('ranking: the expected top hits on a known corpus', async (t) => {
  const { service, search } = await setup(t);
  for (const [source, content] of Object.entries(CORPUS))
    await service.ingest('alpha', { source, content, by: 'w1', format: 'markdown' });
  await service.ingest('beta', { source: 'beta.md', content: 'database flag migration', by: 'b1' });

  t.same((await search('database migration'))[0], 'ops/migrations.md', 'the words in heading and text');
  t.same(await search('migrations'), ['ops/migrations.md'], 'stemmed: migrations finds migration');
  const database = await search('database');
  t.equal(database.length, 3, 'every chunk with the word, of this team only');
  t.equal(database[0], 'ops/migrations.md', 'the word in the heading weighs more');
  const flag = await search('flag');
  t.equal(flag[0], 'dev/testing.md', 'twice in a short chunk beats once');
  t.equal(flag[flag.length - 1], 'dev/long.md', 'once in a long chunk ranks last');
  t.same(await search('fixtures'), ['dev/testing.md'], 'a sub-section is its own chunk');
  t.same(await search('database nightly'), ['ops/backups.md'], 'every word must match');
  const any = await search('nightly kebab', {}, 'any');
  t.same(any.sort(), ['dev/style.md', 'ops/backups.md'], 'any: one of the words');
  t.same(await search('kebab*'), ['dev/style.md'], 'a prefix');
});

t.test('ranking: recency raises newer text, and is weighed against relevance', async (t) => {
  const { db, service, search } = await setup(t);
  await service.ingest('alpha', {
    source: 'old.md',
    content: '# Cache\nCache the cache keys: cache warm-up, cache sizes.',
    by: 'w1',
  });
  await service.ingest('alpha', {
    source: 'new.md',
    content: '# Notes\nA cache warm-up, among other notes on other things.',
    by: 'w1',
  });
  await service.ingest('alpha', { source: 'old-same.md', content: 'Rotate the signing key.', by: 'w1' });
  await service.ingest('alpha', { source: 'new-same.md', content: 'Rotate the signing key!', by: 'w1' });
  const now = Date.now();
  await sql`update knowledge_chunks set at = ${now - 90 * DAY} where source in ('old.md', 'old-same.md')`.execute(db);

  t.same(await search('rotate signing', { now }), ['new-same.md', 'old-same.md'], 'the same text: newer first');
  t.same(await search('cache', { now, recencyWeight: 0 }), ['old.md', 'new.md'], 'no recency: the more relevant');
  t.same(await search('cache', { now, recencyWeight: 10, halfLifeMs: DAY }), ['new.md', 'old.md'], 'strong recency');
  t.same(await search('cache', { now, recencyWeight: 0.5 }), ['old.md', 'new.md'], 'by default relevance still wins');
});

t.test('idempotent ingest: the same content writes nothing, new content replaces', async (t) => {
  const { service, search } = await setup(t);
  const first = await service.ingest('alpha', { source: 'a.md', content: '# A\napples', by: 'w1' });
  const again = await service.ingest('alpha', { source: 'a.md', content: '# A\napples', by: 'w2' });
  t.match(again, { changed: false, replaced: false, documentId: first.documentId, contentHash: first.contentHash });
  t.same((await service.sources('alpha', { limit: 10, offset: 0 }))[0]!.ingestedBy, 'w1', 'not rewritten');
  const retagged = await service.ingest('alpha', { source: 'a.md', content: '# A\napples', tags: ['x'], by: 'w2' });
  t.equal(retagged.changed, true, 'other tags are other content');
  await service.ingest('alpha', { source: 'a.md', content: '# A\npears', by: 'w2' });
  t.same(await search('apples'), []);
  t.same(await search('pears'), ['a.md']);
  const both = await Promise.all([
    service.ingest('alpha', { source: 'race.md', content: 'one', by: 'w1' }),
    service.ingest('alpha', { source: 'race.md', content: 'two', by: 'w2' }),
  ]);
  t.equal(both.length, 2);
  t.equal((await service.counts('alpha')).documents, 2, 'two ingests of a new source at once: one document');
  t.equal((await service.counts('alpha')).chunks, 2, 'with one set of chunks');
});

t.test('chunker: heading paths, code fences, size with overlap', async (t) => {
  const markdown = '# Setup\nIntro.\n## Tests\nRun them.\n```sh\n# not a heading\n```\n# Deploy\nShip.';
  t.same(chunkDocument(markdown, { format: 'markdown', maxChars: 1000, overlapChars: 0 }), [
    { heading: 'Setup', text: 'Intro.' },
    { heading: 'Setup > Tests', text: 'Run them.\n```sh\n# not a heading\n```' },
    { heading: 'Deploy', text: 'Ship.' },
  ]);
  t.same(chunkDocument('# Only a heading', { format: 'markdown', maxChars: 1000, overlapChars: 0 }), [
    { heading: 'Only a heading', text: 'Only a heading' },
  ]);
  const words = Array.from({ length: 300 }, (_, i) => `w${i}`).join(' ');
  const pieces = chunkDocument(words, { format: 'text', maxChars: 400, overlapChars: 60 });
  t.ok(pieces.length > 3);
  for (const piece of pieces) t.ok(piece.text.length <= 400, 'within maxChars');
  for (let i = 1; i < pieces.length; i++) {
    const previous = pieces[i - 1]!.text.split(' ');
    const first = pieces[i]!.text.split(' ')[0]!;
    t.ok(previous.includes(first), `piece ${i} starts inside the one before (overlap)`);
    t.match(first, /^w\d+$/, 'at a word start');
  }
  const all = new Set(pieces.flatMap((piece) => piece.text.split(' ')));
  t.equal(all.size, 300, 'no word lost');
});

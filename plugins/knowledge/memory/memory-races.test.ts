/**
 * Compare-and-set through the routes of a real fleet: two agents write one team key at once, each
 * reading the version first; every write lands one above what it read or is a 409 naming the field,
 * and the final version is the number that landed. Keys that need escaping in a path round-trip.
 */
import t from 'tap';
import { type Agent, as, registerTeam, startFleet } from '../../../test/kit/index.js';

const WRITES = 200;

t.test('2 agents x 200 writes on one team key through HTTP: no lost update', async (t) => {
  // 800 requests from one address: above the default rate limit, which is not what this tests.
  const fleet = await startFleet(t, {
    plugins: { auth: true, knowledge: true },
    config: { server: { rateLimit: { max: 1_000_000 } } },
  });
  const [ann, bob] = (await registerTeam(fleet, 'alpha', ['ann', 'bob'])).workers as [Agent, Agent];
  const problems: string[] = [];
  let landed = 0;
  let refused = 0;
  async function writer(agent: Agent) {
    for (let i = 0; i < WRITES; i++) {
      const read = await as(fleet, agent, 'GET', `/memory/recall/${agent.handle}/counter?scope=team`);
      const version = read.status === 404 ? 0 : (read.body as { version: number }).version;
      const write = await as(fleet, agent, 'POST', '/memory/store', {
        key: 'counter',
        value: `${agent.handle} ${i}`,
        scope: 'team',
        expectedVersion: version,
      });
      if (write.status === 200) {
        landed++;
        const got = (write.body as { version: number }).version;
        if (got !== version + 1) problems.push(`${agent.handle} read ${version}, landed ${got}`);
      } else if (write.status === 409 && (write.body as { field?: string }).field === 'expectedVersion') refused++;
      else problems.push(`${agent.handle}: ${write.status} ${JSON.stringify(write.body)}`);
    }
  }
  await Promise.all([writer(ann), writer(bob)]);
  t.same(problems, []);
  t.equal(landed + refused, 2 * WRITES);
  const final = await as(fleet, ann, 'GET', '/memory/history/ann/counter?scope=team');
  t.equal(final.body.version, landed, 'the final version is the number of writes that landed');
  t.equal(final.body.versions.length, landed, 'one provenance row each');
  t.comment(`${landed} landed, ${refused} refused`);
});

t.test('keys with slashes, spaces and other scripts round-trip through the paths; NUL is a 400', async (t) => {
  const fleet = await startFleet(t, { plugins: { auth: true, knowledge: true } });
  const [ann] = (await registerTeam(fleet, 'alpha', ['ann'])).workers as [Agent];
  // ('.' and '..' are keys a URL cannot carry as a path segment: the tools reach them.)
  for (const key of ['src/app/main.ts', 'a key with spaces', 'ключ?#&', '...', '%2F']) {
    const stored = await as(fleet, ann, 'POST', '/memory/store', { key, value: `value of ${key}` });
    t.equal(stored.status, 200, `${key}: stored`);
    const path = `/memory/recall/ann/${encodeURIComponent(key)}`;
    t.match(await as(fleet, ann, 'GET', path), { status: 200, body: { key, value: `value of ${key}` } }, key);
    const removed = await as(fleet, ann, 'DELETE', `/memory/ann/${encodeURIComponent(key)}`);
    t.match(removed, { status: 200, body: { key } }, `${key}: deleted`);
  }
  const nul = await as(fleet, ann, 'POST', '/memory/store', { key: 'k', value: 'a\u0000b' });
  t.match(nul, { status: 400, body: { field: 'value' } });
});

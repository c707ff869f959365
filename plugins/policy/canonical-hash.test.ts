import t from 'tap';
import { canonicalJson, toolCallHash } from './canonical-hash.js';

const parse = (text: string) => JSON.parse(text) as Record<string, unknown>;
const hash = (text: string, cwd?: string) => toolCallHash('mcp__x__y', parse(text), cwd);

t.test('the same call hashes the same whatever its key order; any other difference changes it', async (t) => {
  t.equal(hash('{"a":1,"b":{"c":2,"d":[1,2]}}'), hash('{"b":{"d":[1,2],"c":2},"a":1}'), 'key order, at every level');
  t.equal(hash('{"n":1}'), hash('{"n":1.0}'), '1 and 1.0 are one JSON number (the tool gets the same value)');
  t.equal(hash('{"n":1e2}'), hash('{"n":100}'));
  const differ: [string, string][] = [
    ['{"a":[1,2]}', '{"a":[2,1]}'],
    ['{"a":[[1],[2]]}', '{"a":[[1,2]]}'],
    ['{"a":"1"}', '{"a":1}'],
    ['{"a":null}', '{}'],
    ['{"a":"é"}', '{"a":"e\\u0301"}'],
    ['{"a":"x"}', '{"a":"x "}'],
    ['{"__proto__":{"a":1}}', '{}'],
    ['{"constructor":1}', '{}'],
    ['{"a":{"b":1}}', '{"a.b":1}'],
    ['{"ab":"c"}', '{"a":"bc"}'],
  ];
  for (const [one, other] of differ) t.not(hash(one), hash(other), `${one} vs ${other}`);
  t.not(hash('{"a":1}', '/x'), hash('{"a":1}', '/y'), 'the directory too');
  t.equal(hash('{"a":1}'), hash('{"a":1}', undefined));
  t.equal(canonicalJson(parse('{"b":1,"a":[{"d":1,"c":2}]}')), '{"a":[{"c":2,"d":1}],"b":1}');
  t.equal(canonicalJson(parse('{"__proto__":1}')), '{"__proto__":1}');
});

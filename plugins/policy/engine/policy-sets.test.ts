/**
 * evaluate batches regexes into RE2 sets (anchored ones in sets anchored at the start). This
 * checks the batching against the plain definition: per decision, the highest-priority rule
 * whose regex (RE2JS.test) matches.
 */
import { RE2JS } from 're2js';
import t from 'tap';
import { anchoredAtStart } from './policy.js';
import { compilePolicy, type PolicyRule } from './index.js';

t.test('which regexes only match at the start', async (t) => {
  for (const source of ['^a', '^(a|b)c', '(?i)^rm', '^[|]x', '^a\\|b', '^[^|]+$'])
    t.ok(anchoredAtStart(source), source);
  for (const source of ['a', '^a|b', '(?m)^a', 'x^', '(^a)', '\\^a', '^a|^b', '(?im)^a'])
    t.notOk(anchoredAtStart(source), source);
});

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), a | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

t.test('batched sets decide exactly as rule-by-rule matching', async (t) => {
  const random = rng(42);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const words = ['git', 'npm', 'push', 'status', 'rm', 'ls', 'x1', 'deploy', 'prod', '--force', '-rf'];
  const shapes = [
    (a: string, b: string) => `^${a} ${b}`,
    (a: string, b: string) => `^(${a}|${b})\\b`,
    (a: string, b: string) => `${a}.*${b}`,
    (a: string) => `(?i)^${a.toUpperCase()}`,
    (a: string, b: string) => `^${a}|${b}$`,
    (a: string) => `\\b${a}\\b`,
    (a: string, b: string) => `^[^ ]+ ${b}`,
    (a: string) => `^${a}$`,
  ];
  const rules: PolicyRule[] = Array.from({ length: 400 }, (_, i) => ({
    id: `r${i}`,
    name: `r${i}`,
    decision: pick(['block', 'ask', 'allow'] as const),
    tool: 'Bash',
    pattern: pick(shapes)(pick(words), pick(words)),
    reason: '',
    priority: Math.floor(random() * 5),
    enabled: true,
    twoPerson: false,
  }));
  const policy = compilePolicy(rules);
  const ordered = rules
    .map((rule, order) => ({ rule, order, regex: RE2JS.compile(rule.pattern) }))
    .sort((a, b) => b.rule.priority - a.rule.priority || a.order - b.order);
  const expected = (command: string) => {
    for (const decision of ['block', 'ask', 'allow'] as const) {
      const hit = ordered.find((entry) => entry.rule.decision === decision && entry.regex.test(command));
      if (hit) return `${decision}:${hit.rule.name}`;
    }
    return 'none:';
  };
  let mismatches = 0;
  for (let n = 0; n < 2000; n++) {
    const command = Array.from({ length: 1 + Math.floor(random() * 4) }, () => pick(words)).join(' ');
    const result = policy.evaluate({ tool: 'Bash', input: { command } });
    const got = `${result.decision}:${result.rule?.name ?? ''}`;
    if (got !== expected(command) && mismatches++ < 10) t.equal(got, expected(command), command);
  }
  t.equal(mismatches, 0, '2,000 random commands against 400 random rules');
});

import t from 'tap';
import { BUILTIN_RULES, compilePolicy, PolicyRuleError, summarizeToolInput, validateRule } from './index.js';
import type { PolicyRule, ToolCall } from './types.js';

let next = 0;
const rule = (decision: PolicyRule['decision'], tool: string, pattern: string, extra: Partial<PolicyRule> = {}) => {
  const id = `r${++next}`;
  return {
    id,
    name: extra.name ?? id,
    decision,
    tool,
    pattern,
    reason: `reason ${id}`,
    priority: 0,
    enabled: true,
    twoPerson: false,
    ...extra,
  };
};
const where = { cwd: '/work/wt', worktree: '/work/wt', home: '/home/agent' };
const bash = (command: string, extra: Partial<ToolCall> = {}): ToolCall => ({
  tool: 'Bash',
  input: { command },
  ...where,
  ...extra,
});
const call = (tool: string, input: Record<string, unknown>, extra: Partial<ToolCall> = {}): ToolCall => ({
  tool,
  input,
  ...where,
  ...extra,
});

t.test('deny wins: block > ask > allow > none, whatever the priorities', async (t) => {
  const policy = compilePolicy([
    rule('allow', 'Bash', '^git ', { priority: 100 }),
    rule('ask', 'Bash', 'push', { priority: 50 }),
    rule('block', 'Bash', '--force', { priority: 0 }),
  ]);
  t.equal(policy.evaluate(bash('git status')).decision, 'allow');
  t.equal(policy.evaluate(bash('git push origin x')).decision, 'ask');
  t.equal(policy.evaluate(bash('git push --force origin x')).decision, 'block');
  t.same(policy.evaluate(bash('ls')), { decision: 'none' });
  t.same(policy.evaluate(call('Read', { file_path: 'x' })), { decision: 'none' }, 'no rule for the tool');
});

t.test('the deciding rule: highest priority of the winning decision, then the earlier one', async (t) => {
  const low = rule('block', 'Bash', 'rm', { name: 'low', priority: 1 });
  const high = rule('block', 'Bash', 'rm', { name: 'high', priority: 9 });
  const tie = rule('block', 'Bash', 'rm', { name: 'tie', priority: 9 });
  const result = compilePolicy([low, high, tie]).evaluate(bash('echo a && rm x'));
  t.same(result, { decision: 'block', rule: high, reason: high.reason, matched: 'rm x' });
  t.equal(compilePolicy([tie, high]).evaluate(bash('rm x')).rule?.name, 'tie');
  t.equal(compilePolicy([rule('block', 'Bash', 'rm', { enabled: false })]).evaluate(bash('rm x')).decision, 'none');
  t.same(
    compilePolicy([low, high]).rules.map((r) => r.name),
    ['high', 'low'],
    'rules are listed highest priority first',
  );
});

t.test('compound Bash: any part blocks; allow needs every part covered', async (t) => {
  const policy = compilePolicy([
    rule('allow', 'Bash', '^git status$'),
    rule('allow', 'Bash', '^echo( [^<>]*)?$', { priority: 5 }),
    rule('block', 'Bash', '^git push'),
  ]);
  t.equal(
    policy.evaluate(bash('git status && git push --force')).decision,
    'block',
    'the "allowed" fragment does not pass it',
  );
  t.equal(policy.evaluate(bash('git status && echo hi')).decision, 'allow');
  t.equal(policy.evaluate(bash('git status && echo hi')).rule?.priority, 5, 'the highest-priority allow is reported');
  t.equal(policy.evaluate(bash('git status && ls')).decision, 'none', 'one part uncovered');
  t.equal(policy.evaluate(bash('echo $(ls)')).decision, 'none', 'the substitution is a part too');
  t.equal(policy.evaluate(bash('echo $(git status)')).decision, 'allow');
  t.equal(policy.evaluate(bash("echo 'unterminated")).decision, 'none', 'an unparsed line is never allowed');
  t.equal(policy.evaluate(bash('$X status')).decision, 'none', 'a dynamic command name is never allowed');
  t.equal(policy.evaluate(bash('')).decision, 'none', 'nothing to cover');
  t.equal(policy.evaluate(bash('echo hi > out')).decision, 'none', 'the redirection is in the part text');
});

t.test('the whole line is judged too (block and ask), and strings taken out of code', async (t) => {
  const policy = compilePolicy([rule('block', 'Bash', 'a; b'), rule('ask', 'Bash', 'secret-token')]);
  t.equal(policy.evaluate(bash('echo x; a; b')).decision, 'block');
  t.equal(policy.evaluate(bash('echo x; a; b')).matched, 'echo x; a; b');
  t.equal(policy.evaluate(bash('python3 -c "print(\'secret-token\')"')).decision, 'ask');
  const code = compilePolicy([rule('block', 'Bash', String.raw`os\.system`)]);
  t.equal(code.evaluate(bash('python3 -c "import os; os.system(1)"')).decision, 'block');
  const anchored = compilePolicy([rule('block', 'Bash', String.raw`^import os; os\.system`)]);
  t.equal(
    anchored.evaluate(bash('python3 -c "import os; os.system(1)"')).matched,
    'import os; os.system(1)',
    'the code part',
  );
});

t.test('tool patterns: alternatives, wildcards, any case; invalid ones name the field', async (t) => {
  const policy = compilePolicy([
    rule('block', 'Edit|Write', '', { name: 'edits' }),
    rule('ask', 'mcp__*', '', { name: 'mcp' }),
    rule('allow', '*', '', { name: 'all' }),
  ]);
  t.equal(policy.evaluate(call('Write', { file_path: 'a' })).rule?.name, 'edits');
  t.equal(policy.evaluate(call('edit', { file_path: 'a' })).rule?.name, 'edits', 'case does not matter');
  t.equal(policy.evaluate(call('mcp__fleet__mail_send', {})).rule?.name, 'mcp');
  t.equal(policy.evaluate(call('WebFetch', { url: 'x' })).rule?.name, 'all');
  t.equal(policy.evaluate(call('MultiEdit', { file_path: 'a' })).rule?.name, 'all', 'Edit does not match MultiEdit');
  t.equal(
    compilePolicy([rule('block', ' Bash | Read ', '')]).evaluate(call('Read', { file_path: 'a' })).decision,
    'block',
  );
  for (const bad of ['', ' ', 'Bash|', '|Bash', 'Ba sh', 'Bash;Read', 'x'.repeat(600), 'Bash()']) {
    const error = validateRule({ tool: bad, pattern: '' });
    t.ok(error instanceof PolicyRuleError && error.field === 'tool', `tool ${JSON.stringify(bad)}: ${error?.message}`);
  }
  t.equal(validateRule({ tool: 'mcp__my-server__do.it', pattern: '' }), undefined);
  const manyStars = compilePolicy([rule('block', 'a*a*a*a*a*a*a*a*a*a*a*a*b', '')]);
  t.equal(manyStars.evaluate(call('a'.repeat(5000), {})).decision, 'none', 'wildcards stay linear');
});

t.test('regex patterns: RE2 syntax; lookaround and backreferences are refused with a clear message', async (t) => {
  for (const bad of ['(', '[a-', 'a{2,1}', '(?=x)', '(?<!x)y', '(a)\\1', '*x']) {
    const error = validateRule({ tool: 'Bash', pattern: bad });
    t.ok(error instanceof PolicyRuleError && error.field === 'pattern', `${bad}: ${error?.message}`);
  }
  t.match(validateRule({ tool: 'Bash', pattern: '(?=x)' })?.message, /lookaround and backreferences are not supported/);
  t.match(validateRule({ tool: 'Bash', pattern: '(' })?.message, /^pattern: invalid regex/);
  t.equal(validateRule({ tool: 'Bash', pattern: String.raw`(?i)^rm\s+-[a-z]*r\b` }), undefined);
  let thrown: unknown;
  try {
    compilePolicy([rule('block', 'Bash', '(', { name: 'broken' })]);
  } catch (error) {
    thrown = error;
  }
  t.ok(thrown instanceof PolicyRuleError && thrown.field === 'pattern', 'compilePolicy throws PolicyRuleError');
  t.match((thrown as Error).message, /^pattern: rule "broken": invalid regex/, 'naming the rule');
  t.throws(() => compilePolicy([rule('block', 'Bash|', 'x')]), PolicyRuleError);
  t.doesNotThrow(
    () => compilePolicy([rule('block', 'Bash|', '(', { enabled: false })]),
    'disabled rules are not compiled',
  );
});

t.test('a pathological regex cannot hang evaluation (RE2 is linear)', async (t) => {
  const policy = compilePolicy([
    rule('block', '*', '(a+)+$'),
    rule('block', '*', '(x+x+)+y'),
    rule('block', '*', '(.*a){20}'),
  ]);
  const input = 'a'.repeat(50_000) + '!';
  const started = performance.now();
  t.equal(policy.evaluate(call('Tool', { text: 'x'.repeat(50_000) })).decision, 'none');
  t.equal(policy.evaluate(bash(input)).decision, 'block');
  t.ok(performance.now() - started < 20_000, 'finishes (no exponential backtracking)');
});

t.test('file tools take a glob over the absolute path; re: and glob: force the kind', async (t) => {
  const policy = compilePolicy([
    rule('block', 'Read', '**/*.pem', { name: 'pem' }),
    rule('block', 'Read|Edit', '/etc/**', { name: 'etc' }),
    rule('ask', 'Edit|Write', '~/.config/**', { name: 'config' }),
    rule('allow', 'Edit|Write|Read', 'src/**', { name: 'src' }),
    rule('block', 'Write', String.raw`re:password\s*=`, { name: 'content' }),
    rule('block', 'Bash', 'glob:**/secrets/**', { name: 'secrets' }),
  ]);
  const decide = (tool: string, input: Record<string, unknown>, extra?: Partial<ToolCall>) => {
    const result = policy.evaluate(call(tool, input, extra));
    return `${result.decision}:${result.rule?.name ?? ''}:${result.matched ?? ''}`;
  };
  t.equal(decide('Read', { file_path: 'keys/a.pem' }), 'block:pem:/work/wt/keys/a.pem', 'relative to cwd');
  t.equal(decide('Read', { file_path: '/work/wt/src/../../../etc/passwd' }), 'block:etc:/etc/passwd', '.. normalised');
  t.equal(decide('Edit', { file_path: '~/.config/x.json' }), 'ask:config:/home/agent/.config/x.json', '~ expanded');
  t.equal(decide('Edit', { file_path: '/home/agent/.config/x.json' }), 'ask:config:/home/agent/.config/x.json');
  t.equal(decide('Edit', { file_path: 'src/a/b.ts' }), 'allow:src:/work/wt/src/a/b.ts');
  t.equal(decide('Edit', { file_path: '/work/wt/src/a.ts' }), 'allow:src:/work/wt/src/a.ts');
  t.equal(decide('Edit', { file_path: '/elsewhere/src/a.ts' }), 'none::', 'relative globs anchor at the worktree');
  t.equal(
    decide('Edit', { file_path: 'src/a.ts' }, { cwd: '/work/wt/sub' }),
    'none::',
    'paths resolve against the cwd, globs anchor at the worktree',
  );
  t.equal(
    decide('Write', { file_path: 'src/a.ts', content: 'password = 1' }),
    'block:content:' + JSON.stringify({ content: 'password = 1', file_path: 'src/a.ts' }),
  );
  t.equal(decide('Write', { content: 'x' }), 'none::', 'no path: not allowed');
  t.equal(
    policy.evaluate(bash('cat config/secrets/db.txt')).matched,
    '/work/wt/config/secrets/db.txt',
    'a glob on Bash matches the path arguments',
  );
  t.equal(policy.evaluate(bash('cd config && cat secrets/x')).decision, 'block', 'after a cd');
  t.equal(policy.evaluate(bash('echo secrets/x')).decision, 'block', 'any argument that names a path');
  for (const bad of ['glob:!(x)', 'glob:@(a|b)', 'glob:' + 'x'.repeat(2000)]) {
    const error = validateRule({ tool: 'Read', pattern: bad });
    t.ok(error?.field === 'pattern', `${bad.slice(0, 20)}: ${error?.message}`);
  }
});

t.test('a glob cannot hang matching either', async (t) => {
  const policy = compilePolicy([rule('block', 'Read', '*a*a*a*a*a*a*a*a*a*a*a*b')]);
  const started = performance.now();
  t.equal(policy.evaluate(call('Read', { file_path: '/' + 'a'.repeat(4000) })).decision, 'none');
  t.ok(performance.now() - started < 20_000);
});

t.test('Glob and Grep: the search root and the files their glob names', async (t) => {
  const policy = compilePolicy([rule('block', 'Grep|Glob', '**/.env', { name: 'env' })]);
  t.equal(policy.evaluate(call('Grep', { pattern: 'KEY', glob: '.env' })).decision, 'block');
  t.equal(policy.evaluate(call('Grep', { pattern: 'KEY', path: 'app/.env' })).decision, 'block');
  t.equal(policy.evaluate(call('Glob', { pattern: '**/.env' })).decision, 'block');
  t.equal(policy.evaluate(call('Grep', { pattern: 'KEY', path: 'src' })).decision, 'none');
});

t.test('other tools: a regex over canonical JSON (sorted keys); globs over path-like fields', async (t) => {
  const policy = compilePolicy([
    rule('block', 'mcp__*', String.raw`"b":1,"url":"https://evil`, { name: 'json' }),
    rule('ask', 'mcp__*', 'glob:/etc/**', { name: 'path' }),
  ]);
  t.equal(policy.evaluate(call('mcp__x__y', { url: 'https://evil.example', b: 1 })).decision, 'block');
  t.equal(policy.evaluate(call('mcp__x__y', { target_path: '/etc/hosts' })).decision, 'ask');
  t.equal(policy.evaluate(call('mcp__x__y', { note: '/etc/hosts' })).decision, 'none');
});

t.test('the input JSON keeps every key: __proto__ and constructor cannot hide text from a rule', async (t) => {
  const policy = compilePolicy([rule('block', 'mcp__*|Write', 'secret', { name: 'json' })]);
  const inputs = [
    '{"__proto__":{"q":"secret"}}',
    '{"a":{"__proto__":"secret"}}',
    '{"__proto__":"secret"}',
    '{"constructor":{"q":"secret"}}',
    '{"x":[{"__proto__":["secret"]}]}',
  ];
  for (const text of inputs)
    t.equal(policy.evaluate(call('mcp__x__y', JSON.parse(text) as Record<string, unknown>)).decision, 'block', text);
  const write = JSON.parse('{"file_path":"/w/a","__proto__":{"content":"secret"}}') as Record<string, unknown>;
  t.equal(policy.evaluate(call('Write', write)).decision, 'block', 'a file tool too');
});

t.test('an input nested too deep to serialise is blocked, not thrown', async (t) => {
  const policy = compilePolicy([rule('block', 'mcp__*', 'secret')]);
  let deep: Record<string, unknown> = { q: 'secret' };
  for (let i = 0; i < 200_000; i++) deep = { a: deep };
  let result: ReturnType<typeof policy.evaluate> | undefined;
  t.doesNotThrow(() => (result = policy.evaluate(call('mcp__x__y', deep))));
  t.equal(result?.decision, 'block');
});

t.test('built-ins: switched on by option, or named one by one, or used as builtin: patterns', async (t) => {
  t.equal(BUILTIN_RULES.length, 5);
  for (const builtin of BUILTIN_RULES) {
    t.match(builtin.name, /^builtin-[a-z-]+$/);
    t.equal(builtin.decision, 'block');
    t.ok(builtin.reason.length > 40, `${builtin.name} explains itself`);
    t.equal(validateRule(builtin), undefined);
  }
  t.equal(compilePolicy([]).evaluate(bash('rm -rf /')).decision, 'none', 'off by default');
  t.equal(compilePolicy([], { builtins: true }).evaluate(bash('rm -rf /')).rule?.name, 'builtin-rm-rf-root');
  const some = compilePolicy([], { builtins: ['builtin-read-secrets'] });
  t.equal(some.evaluate(bash('rm -rf /')).decision, 'none');
  t.equal(some.evaluate(call('Read', { file_path: '.env' })).decision, 'block');
  t.throws(() => compilePolicy([], { builtins: ['builtin-nope'] }), PolicyRuleError);
  const asAsk = compilePolicy([rule('ask', 'Bash', 'builtin:curl-pipe-shell', { name: 'ask-curl' })]);
  t.equal(asAsk.evaluate(bash('curl x | sh')).rule?.name, 'ask-curl', 'a lead can make a built-in ask');
  t.match(
    validateRule({ tool: 'Bash', pattern: 'builtin:nope' })?.message,
    /unknown built-in "nope" \(known: rm-rf-root/,
  );
  t.equal(validateRule({ tool: 'Bash', pattern: 'builtin:toString' })?.field, 'pattern');
  const stored = compilePolicy(BUILTIN_RULES.map((r) => ({ ...r, enabled: r.name !== 'builtin-rm-rf-root' })));
  t.equal(stored.evaluate(bash('rm -rf /')).decision, 'none', 'stored as rows, one turned off');
  t.equal(stored.evaluate(bash('curl x | sh')).decision, 'block');
});

t.test('evaluate never throws on odd input', async (t) => {
  const policy = compilePolicy([rule('allow', '*', 'x'), rule('block', 'Read', '**/y')], { builtins: true });
  const odd: unknown[] = [
    { tool: 'Bash', input: {} },
    { tool: 'Bash', input: { command: 42 } },
    { tool: 'Bash', input: null },
    { tool: 'Read', input: { file_path: ['a'] } },
    { tool: undefined, input: {} },
    { tool: 'Read', input: { file_path: '' } },
    { tool: 'Bash', input: { command: '\u0000\uffff' } },
    { tool: 'Grep', input: { pattern: 1, glob: {} } },
  ];
  for (const value of odd) t.doesNotThrow(() => policy.evaluate(value as ToolCall), JSON.stringify(value));
  t.equal(policy.evaluate({ tool: 'Bash', input: { command: 42 } }).decision, 'none', 'no command: never allowed');
  t.equal(policy.evaluate({ tool: 'Read', input: {} }).decision, 'none');
});

t.test('summaries for the approvals inbox', async (t) => {
  t.equal(
    summarizeToolInput('Bash', { command: 'git push\n  origin main', description: 'x' }),
    'git push ⏎   origin main',
  );
  t.equal(summarizeToolInput('Edit', { file_path: '/a/b.ts', old_string: 'x', new_string: 'y' }), '/a/b.ts');
  t.equal(summarizeToolInput('Write', { file_path: '/a/c.ts', content: 'z'.repeat(10_000) }), '/a/c.ts');
  t.equal(summarizeToolInput('Read', { file_path: '/a/d.ts' }), '/a/d.ts');
  t.equal(summarizeToolInput('NotebookEdit', { notebook_path: '/n.ipynb' }), '/n.ipynb');
  t.equal(summarizeToolInput('Grep', { pattern: 'TODO', path: 'src', glob: '*.ts' }), 'TODO (*.ts) in src');
  t.equal(summarizeToolInput('mcp__x__y', { b: 2, a: 'q' }), '{"a":"q","b":2}');
  t.equal(summarizeToolInput('Bash', { command: 'x'.repeat(1000) }).length, 300);
  t.ok(summarizeToolInput('Bash', { command: 'x'.repeat(1000) }).endsWith('…'));
  t.equal(summarizeToolInput('Bash', { command: 'a\u001b[31mb' }), 'a?[31mb', 'terminal escapes are defused');
  t.equal(summarizeToolInput('Bash', {}), '{}');
  t.equal(summarizeToolInput('Edit', null as unknown as Record<string, unknown>), '{}');
});

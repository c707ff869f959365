import t from 'tap';
import { ALLOWED_COMMANDS, BENIGN_COMMANDS, BYPASS_CORPUS, CORPUS_CALL, CORPUS_RULES } from './bypass-corpus.js';
import { compilePolicy } from './index.js';

const policy = compilePolicy(CORPUS_RULES, { builtins: true });
const builtinsOnly = compilePolicy([], { builtins: true });
const bash = (command: string) => ({ tool: 'Bash', input: { command }, ...CORPUS_CALL });

t.test('the corpus is big enough to mean something', async (t) => {
  t.ok(BYPASS_CORPUS.length >= 100, `${BYPASS_CORPUS.length} bypass attempts`);
  t.equal(new Set(BYPASS_CORPUS.map((c) => c.command)).size, BYPASS_CORPUS.length, 'no duplicates');
});

t.test('no bypass attempt comes out allow; those a rule is meant to catch are blocked by it', async (t) => {
  const failures: string[] = [];
  for (const attempt of BYPASS_CORPUS) {
    const result = policy.evaluate(bash(attempt.command));
    if (result.decision === 'allow')
      failures.push(`ALLOWED ${JSON.stringify(attempt.command)} by ${result.rule?.name}`);
    else if (attempt.expect === 'block') {
      if (result.decision !== 'block') failures.push(`${result.decision} ${JSON.stringify(attempt.command)}`);
      else if (attempt.rule && result.rule?.name !== attempt.rule)
        failures.push(`blocked by ${result.rule?.name}, not ${attempt.rule}: ${JSON.stringify(attempt.command)}`);
    }
  }
  t.same(failures, [], `${BYPASS_CORPUS.length} attempts`);
});

t.test('the built-ins alone block the same attempts (no allow rule needed to see them)', async (t) => {
  const failures = BYPASS_CORPUS.filter((c) => c.expect === 'block' && c.rule?.startsWith('builtin-'))
    .filter((c) => builtinsOnly.evaluate(bash(c.command)).decision !== 'block')
    .map((c) => c.command);
  t.same(failures, []);
});

t.test('everyday commands are not blocked by the built-ins', async (t) => {
  const blocked = BENIGN_COMMANDS.map((command) => ({ command, result: policy.evaluate(bash(command)) }))
    .filter(({ result }) => result.decision === 'block')
    .map(({ command, result }) => `${JSON.stringify(command)} by ${result.rule?.name}`);
  t.same(blocked, []);
});

t.test('commands every part of which an allow rule covers are allowed', async (t) => {
  for (const command of ALLOWED_COMMANDS) t.equal(policy.evaluate(bash(command)).decision, 'allow', command);
});

/**
 * The task router: classes, strategies and models from the seed's signals, with its bias fixed (a
 * signal votes only on evidence) and keywords matched as whole words. Pure: the same on either engine.
 */
import t from 'tap';
import { classifyTask } from './routing.js';

t.test('the seed’s examples, without its bias', async (t) => {
  // The seed: simple, 0.556 (no description and no blockers voted simple).
  t.match(classifyTask({ subject: 'Refactor authentication module' }), {
    complexity: 'complex',
    strategy: 'swarm',
    model: 'opus',
    confidence: 1,
  });
  t.match(classifyTask({ subject: 'Fix typo in README' }), {
    complexity: 'simple',
    strategy: 'direct',
    model: 'haiku',
    confidence: 1,
  });
  // One blocker votes medium (0.3) against two complex words (0.4).
  t.match(classifyTask({ subject: 'Refactor authentication module', blockedBy: ['t1'] }), {
    complexity: 'complex',
    confidence: 0.571,
  });
});

t.test('signals: keywords, description length, blockers', async (t) => {
  t.match(classifyTask({ subject: 'Optimize the query planner' }), { complexity: 'medium', confidence: 1 });
  t.same(
    classifyTask({ subject: 'Optimize the query planner' }).signals.map((s) => s.name),
    ['keywords'],
    'no description, no blockedBy: no vote from them',
  );
  const long = 'x '.repeat(500);
  t.match(classifyTask({ subject: 'Add a button', description: long }), { complexity: 'complex', confidence: 1 });
  t.match(classifyTask({ subject: 'Add a button', description: 'short' }), { complexity: 'simple' });
  t.match(classifyTask({ subject: 'Add a button', description: 'y'.repeat(500) }), { complexity: 'medium' });
  t.match(classifyTask({ subject: 'Add a button', blockedBy: ['a', 'b', 'c'] }), { complexity: 'complex' });
  t.match(classifyTask({ subject: 'Add a button', blockedBy: ['a', 'a', 'a'] }), { complexity: 'medium' });
  t.match(classifyTask({ subject: 'Add a button', blockedBy: [] }), { complexity: 'simple', confidence: 1 });
  // simple keywords 0.4 + description 0.2 against 3 blockers 0.3: simple wins, 0.6 / 0.9.
  t.match(classifyTask({ subject: 'Bump version', description: 'patch', blockedBy: ['a', 'b', 'c'] }), {
    complexity: 'simple',
    confidence: 0.667,
  });
  // Mixed keywords (one complex, one simple) vote medium.
  t.match(classifyTask({ subject: 'Rename the security module' }), { complexity: 'medium' });
});

t.test('no signal at all: medium with confidence 0', async (t) => {
  t.same(classifyTask({ subject: 'Do the thing' }), {
    complexity: 'medium',
    strategy: 'supervised',
    model: 'sonnet',
    confidence: 0,
    signals: [],
  });
});

t.test('keywords are whole words with their endings, not substrings', async (t) => {
  t.same(classifyTask({ subject: 'Fix the login dialog catalog' }).signals, [], 'log is not in login');
  t.same(classifyTask({ subject: 'Discuss the environment' }).signals, [], 'css, env are not substrings');
  t.match(classifyTask({ subject: 'Refactoring and migrations' }), { complexity: 'complex' });
  t.match(classifyTask({ subject: 'Change the database   schema and go multi file' }), { complexity: 'complex' });
  t.match(classifyTask({ subject: 'Formatting and linting' }).signals[0], { votes: 'simple', detail: 'lint, format' });
});

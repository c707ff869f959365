import t from 'tap';
import * as v from 'valibot';
import { evaluateExpression, expressionField, parseExpression, passes } from './expression.js';

const context = {
  inputs: { mode: 'full', n: 3, s: '12', flag: true, list: [1, 2], empty: '' },
  steps: { 'build-1': { status: 'succeeded', output: { exitCode: 0, approved: false, tail: ['a === b'] } } },
  execution: { id: 'e1' },
};

t.test('the seed language: a path, an operator, a literal', async (t) => {
  t.equal(passes("inputs.mode === 'full'", context), true);
  t.equal(passes('inputs.mode == "full"', context), true, '== is strict and takes double quotes');
  t.equal(passes("inputs.mode !== 'full'", context), false);
  t.equal(passes('inputs.n > 2', context), true);
  t.equal(passes('inputs.n >= 3', context), true);
  t.equal(passes('inputs.n < 3', context), false);
  t.equal(passes('inputs.s > 11', context), true, 'a numeric string compares as its number');
  t.equal(passes('inputs.mode > 1', context), false, 'a word is not a number: false, not NaN games');
  t.equal(passes('inputs.n == "3"', context), false, 'no coercion');
  t.equal(passes('steps.build-1.output.exitCode === 0', context), true, 'step keys with dashes');
  t.equal(passes('steps.build-1.output.approved === true', context), false);
  t.equal(passes('inputs.flag', context), true, 'a bare path: its value, passing only when exactly true');
  t.equal(passes('inputs.mode', context), false, "'full' is truthy but not true");
  t.equal(evaluateExpression('inputs.missing', context), undefined);
  t.equal(passes('inputs.missing === undefined', context), true);
  t.equal(passes('inputs.list === inputs.list', context), true);
});

t.test('fixed: operators inside strings, precedence, and/or/not, parentheses', async (t) => {
  t.equal(passes("inputs.mode === 'a >= b'", context), false, 'an operator inside a string is text');
  t.equal(passes('steps.build-1.output.tail === steps.build-1.output.tail && inputs.n > 1', context), true);
  t.equal(passes("inputs.n > 5 || inputs.mode === 'full'", context), true);
  t.equal(passes('!(inputs.n > 5)', context), true);
  t.equal(passes('!inputs.empty && (inputs.n === 3 || inputs.n === 4)', context), true);
  t.equal(passes("inputs.mode === 'it\\'s'", context), false, 'escaped quotes');
});

t.test('no prototype reach, no eval', async (t) => {
  t.equal(evaluateExpression('inputs.constructor', context), undefined);
  t.equal(evaluateExpression('inputs.__proto__', context), undefined);
  t.throws(() => parseExpression('process.exit(1)'), /unknown name 'process'/);
  t.throws(() => parseExpression("require('fs')"), /unknown name 'require'/);
});

t.test('malformed expressions: a clear error naming where', async (t) => {
  const bad: [string, RegExp][] = [
    ['', /empty/],
    ["inputs.mode === 'full", /no closing '/],
    ['inputs.mode = 1', /'=' is not an operator/],
    ['inputs.a === 1 === 2', /unexpected '==='/],
    ['(inputs.a', /not closed/],
    ['inputs.a &&', /missing at the end/],
    ['full', /unknown name 'full'.*quoted/],
    ['inputs.', /dot/],
    ['inputs.a # 1', /unexpected character '#'/],
    ['x'.repeat(1001), /longer than 1000/],
    ['('.repeat(40) + 'inputs.a' + ')'.repeat(40), /nested more than/],
  ];
  for (const [text, message] of bad) t.throws(() => parseExpression(text), message, JSON.stringify(text.slice(0, 30)));
  t.match(
    (() => {
      try {
        parseExpression('inputs.a === =');
      } catch (e) {
        return (e as Error).message;
      }
    })(),
    /at character 14/,
  );
});

t.test('the schema field: parse errors and templates are issues', async (t) => {
  t.ok(v.safeParse(expressionField, "inputs.mode === 'full'").success);
  const broken = v.safeParse(expressionField, 'inputs.a = 1');
  t.notOk(broken.success);
  t.match(broken.issues?.[0].message, /is not a valid expression: '=' is not an operator/);
  const templated = v.safeParse(expressionField, "inputs.a === '{{inputs.b}}'");
  t.notOk(templated.success);
  t.match(templated.issues?.[0].message, /may not hold \{\{…\}\} templates/);
  t.notOk(v.safeParse(expressionField, 42).success);
});

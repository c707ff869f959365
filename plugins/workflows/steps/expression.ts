import * as v from 'valibot';

/**
 * The seed's condition language (§6.1 of the seed's semantics), without its bugs. The seed split the text at
 * the first operator it found (inside a quoted string too), read a word as a path when it resolved and as a
 * string otherwise (a typo compared as text), and ran whatever it got. Here an expression is parsed once, at
 * definition time, and a malformed one is an error naming the position:
 *
 *   expr    := or
 *   or      := and ('||' and)*
 *   and     := unary ('&&' unary)*
 *   unary   := '!' unary | compare
 *   compare := operand (('===' | '!==' | '==' | '!=' | '>=' | '<=' | '>' | '<') operand)?
 *   operand := path | 'string' | "string" | number | true | false | null | undefined | '(' expr ')'
 *   path    := root ('.' segment)*     root: inputs | steps | execution | currentStep
 *
 * A bare word is always a path (a string must be quoted), and a path that does not resolve is `undefined`.
 * `==` and `!=` are strict, as in the seed (no type coercion); arrays and objects compare by their JSON.
 * `>`, `<`, `>=`, `<=` compare numbers (a numeric string counts as its number); anything else compares false.
 * `!`, `&&` and `||` give booleans from truthiness. No JavaScript is evaluated, ever.
 */
export type Expr =
  | { kind: 'literal'; value: unknown }
  | { kind: 'path'; path: string[] }
  | { kind: 'not'; operand: Expr }
  | { kind: 'and' | 'or'; left: Expr; right: Expr }
  | { kind: 'compare'; op: CompareOp; left: Expr; right: Expr };

type CompareOp = '===' | '!==' | '==' | '!=' | '>=' | '<=' | '>' | '<';

export const EXPRESSION_ROOTS = ['inputs', 'steps', 'execution', 'currentStep'] as const;
export const MAX_EXPRESSION_CHARS = 1000;
const MAX_DEPTH = 32;

export class ExpressionError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(`${message} (at character ${position + 1})`);
  }
}

type Token =
  | { type: 'op'; text: string; at: number }
  | { type: 'word'; text: string; at: number }
  | { type: 'string'; value: string; at: number }
  | { type: 'number'; value: number; at: number };

const OPERATORS = ['===', '!==', '&&', '||', '==', '!=', '>=', '<=', '>', '<', '!', '(', ')'];
const WORD = /^[A-Za-z_$][A-Za-z0-9_$-]*(\.[A-Za-z0-9_$-]+)*/;
const NUMBER = /^-?(\d+(\.\d+)?|\.\d+)([eE][+-]?\d+)?/;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < text.length) {
    const rest = text.slice(at);
    const space = /^\s+/.exec(rest);
    if (space) {
      at += space[0].length;
      continue;
    }
    const ch = text[at]!;
    if (ch === '"' || ch === "'") {
      const { value, end } = readString(text, at);
      tokens.push({ type: 'string', value, at });
      at = end;
      continue;
    }
    const number = NUMBER.exec(rest);
    if (number && !(ch === '-' && tokens.length > 0 && isOperand(tokens[tokens.length - 1]!))) {
      tokens.push({ type: 'number', value: Number(number[0]), at });
      at += number[0].length;
      continue;
    }
    const word = WORD.exec(rest);
    if (word) {
      if (word[0].endsWith('.')) throw new ExpressionError('a path may not end with a dot', at + word[0].length - 1);
      tokens.push({ type: 'word', text: word[0], at });
      at += word[0].length;
      if (text[at] === '.') throw new ExpressionError('a path segment is missing after the dot', at);
      continue;
    }
    const op = OPERATORS.find((candidate) => rest.startsWith(candidate));
    if (op) {
      tokens.push({ type: 'op', text: op, at });
      at += op.length;
      continue;
    }
    if (ch === '=' || ch === '&' || ch === '|')
      throw new ExpressionError(`'${ch}' is not an operator here (use ===, ==, &&, ||)`, at);
    throw new ExpressionError(`unexpected character '${ch}'`, at);
  }
  return tokens;
}

const isOperand = (token: Token) =>
  token.type === 'word' || token.type === 'string' || token.type === 'number' || token.text === ')';

function readString(text: string, start: number): { value: string; end: number } {
  const quote = text[start]!;
  let value = '';
  for (let at = start + 1; at < text.length; at++) {
    const ch = text[at]!;
    if (ch === quote) return { value, end: at + 1 };
    if (ch === '\\') {
      const next = text[at + 1];
      if (next === undefined) break;
      value += next === 'n' ? '\n' : next === 't' ? '\t' : next;
      at++;
      continue;
    }
    value += ch;
  }
  throw new ExpressionError(`the string starting here has no closing ${quote}`, start);
}

const COMPARE = new Set<string>(['===', '!==', '==', '!=', '>=', '<=', '>', '<']);

class Parser {
  #at = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly length: number,
  ) {}

  parse(): Expr {
    if (this.tokens.length === 0) throw new ExpressionError('the expression is empty', 0);
    const expr = this.#or(0);
    const extra = this.tokens[this.#at];
    if (extra) throw new ExpressionError(`unexpected ${describe(extra)} (a comparison takes one operator)`, extra.at);
    return expr;
  }

  #peekOp(text: string): boolean {
    const token = this.tokens[this.#at];
    return token?.type === 'op' && token.text === text;
  }

  #or(depth: number): Expr {
    let left = this.#and(depth);
    while (this.#peekOp('||')) {
      this.#at++;
      left = { kind: 'or', left, right: this.#and(depth) };
    }
    return left;
  }

  #and(depth: number): Expr {
    let left = this.#unary(depth);
    while (this.#peekOp('&&')) {
      this.#at++;
      left = { kind: 'and', left, right: this.#unary(depth) };
    }
    return left;
  }

  #unary(depth: number): Expr {
    if (depth > MAX_DEPTH) throw new ExpressionError(`nested more than ${MAX_DEPTH} deep`, this.#position());
    if (this.#peekOp('!')) {
      this.#at++;
      return { kind: 'not', operand: this.#unary(depth + 1) };
    }
    const left = this.#operand(depth);
    const token = this.tokens[this.#at];
    if (token?.type === 'op' && COMPARE.has(token.text)) {
      this.#at++;
      return { kind: 'compare', op: token.text as CompareOp, left, right: this.#operand(depth) };
    }
    return left;
  }

  #operand(depth: number): Expr {
    const token = this.tokens[this.#at];
    if (!token) throw new ExpressionError('a value is missing at the end', this.length);
    this.#at++;
    if (token.type === 'string' || token.type === 'number') return { kind: 'literal', value: token.value };
    if (token.type === 'word') return wordExpr(token);
    if (token.text === '(') {
      const inner = this.#or(depth + 1);
      if (!this.#peekOp(')')) throw new ExpressionError('a ( is not closed', this.#position());
      this.#at++;
      return inner;
    }
    throw new ExpressionError(`a value is expected, not ${describe(token)}`, token.at);
  }

  #position(): number {
    return this.tokens[this.#at]?.at ?? this.length;
  }
}

const KEYWORDS: Record<string, unknown> = { true: true, false: false, null: null, undefined };

function wordExpr(token: Extract<Token, { type: 'word' }>): Expr {
  if (Object.hasOwn(KEYWORDS, token.text)) return { kind: 'literal', value: KEYWORDS[token.text] };
  const path = token.text.split('.');
  if (!(EXPRESSION_ROOTS as readonly string[]).includes(path[0]!))
    throw new ExpressionError(
      `unknown name '${path[0]}': a path starts with ${EXPRESSION_ROOTS.join(', ')}; ` +
        `a string is quoted ('${token.text}')`,
      token.at,
    );
  return { kind: 'path', path };
}

function describe(token: Token): string {
  if (token.type === 'op') return `'${token.text}'`;
  if (token.type === 'word') return `'${token.text}'`;
  if (token.type === 'string') return 'a string';
  return 'a number';
}

/** Parse an expression (at most 1,000 characters); throws ExpressionError naming what and where. */
export function parseExpression(text: string): Expr {
  if (text.length > MAX_EXPRESSION_CHARS)
    throw new ExpressionError(`longer than ${MAX_EXPRESSION_CHARS} characters`, MAX_EXPRESSION_CHARS);
  return new Parser(tokenize(text), text.length).parse();
}

/** The value at a dotted path: own properties only (no `constructor` or `__proto__` from a prototype). */
export function resolvePath(context: unknown, path: readonly string[]): unknown {
  let value: unknown = context;
  for (const segment of path) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, segment)) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

const asNumber = (value: unknown): number | undefined => {
  if (typeof value === 'number') return Number.isNaN(value) ? undefined : value;
  if (typeof value === 'string' && NUMBER.test(value.trim()) && NUMBER.exec(value.trim())![0] === value.trim())
    return Number(value.trim());
  return undefined;
};

function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object')
    return JSON.stringify(a) === JSON.stringify(b);
  return false;
}

function compare(op: CompareOp, a: unknown, b: unknown): boolean {
  if (op === '===' || op === '==') return equal(a, b);
  if (op === '!==' || op === '!=') return !equal(a, b);
  const x = asNumber(a);
  const y = asNumber(b);
  if (x === undefined || y === undefined) return false;
  if (op === '>') return x > y;
  if (op === '<') return x < y;
  if (op === '>=') return x >= y;
  return x <= y;
}

export function evaluate(expr: Expr, context: Record<string, unknown>): unknown {
  switch (expr.kind) {
    case 'literal':
      return expr.value;
    case 'path':
      return resolvePath(context, expr.path);
    case 'not':
      return !evaluate(expr.operand, context);
    case 'and':
      return Boolean(evaluate(expr.left, context)) && Boolean(evaluate(expr.right, context));
    case 'or':
      return Boolean(evaluate(expr.left, context)) || Boolean(evaluate(expr.right, context));
    case 'compare':
      return compare(expr.op, evaluate(expr.left, context), evaluate(expr.right, context));
  }
}

/** Parse and evaluate (the definition was checked already; a parse error here still throws). */
export function evaluateExpression(text: string, context: Record<string, unknown>): unknown {
  return evaluate(parseExpression(text), context);
}

/** A guard or gate condition passes only when it is exactly `true` (as in the seed). */
export const passes = (text: string, context: Record<string, unknown>) => evaluateExpression(text, context) === true;

/** The schema of an expression field: 1–1,000 characters that parse; the issue says what is wrong and where. */
export const expressionField = v.pipe(
  v.string('must be a string (an expression)'),
  v.minLength(1, 'must be an expression of 1–1000 characters'),
  v.maxLength(MAX_EXPRESSION_CHARS, 'must be an expression of 1–1000 characters'),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    if (dataset.value.includes('{{')) {
      // The engine fills {{…}} into config strings: a value put into an expression could change its meaning.
      addIssue({ message: 'may not hold {{…}} templates: name the value by its path (inputs.x, steps.k.output.y)' });
      return;
    }
    try {
      parseExpression(dataset.value);
    } catch (error) {
      addIssue({ message: `is not a valid expression: ${(error as Error).message}` });
    }
  }),
);

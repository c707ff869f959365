import ts from 'typescript';

/** A table a source file names, and how. */
export interface TableReference {
  table: string;
  line: number;
  /** The Kysely method (`selectFrom`), or `sql` for raw SQL text. */
  via: string;
}

/** Kysely methods whose first argument names a table (or several, as an array). */
const TABLE_METHODS = new Set([
  'selectFrom',
  'insertInto',
  'updateTable',
  'deleteFrom',
  'replaceInto',
  'mergeInto',
  'innerJoin',
  'leftJoin',
  'rightJoin',
  'fullJoin',
  'crossJoin',
  'innerJoinLateral',
  'leftJoinLateral',
  'createTable',
  'alterTable',
  'dropTable',
]);

/**
 * Table names in raw SQL: after FROM, JOIN, INTO, UPDATE, TABLE [IF [NOT] EXISTS], REFERENCES, and
 * the ON of CREATE INDEX. A schema prefix (`public.agents`) and quotes are skipped.
 */
const NAME = String.raw`(?:only\s+)?["\x60]?(?:\w+["\x60]?\.["\x60]?)?(\w+)`;
const SQL_PATTERNS = [
  new RegExp(String.raw`\b(?:from|join|into|update|references|table(?:\s+if(?:\s+not)?\s+exists)?)\s+` + NAME, 'gi'),
  new RegExp(String.raw`\bindex\s+(?:if\s+not\s+exists\s+)?["\x60]?\w+["\x60]?\s+on\s+` + NAME, 'gi'),
];

/** `'agents as a'` → `agents`; `'public.agents'` → `agents`; `'agents.uid'` (references) → `agents`. */
function tableOfArgument(text: string, via: string): string {
  const name = text.split(/\s+as\s+/i)[0]!.trim();
  const parts = name.split('.');
  // references('table.column') names the table first; elsewhere a dot separates schema and table.
  return (via === 'references' ? parts[0] : parts[parts.length - 1])!;
}

/** Calls in a method chain, from the outermost inward: `db.schema.createIndex('i').on('t')` → on, createIndex. */
function chainMethods(node: ts.Expression): string[] {
  const names: string[] = [];
  let at: ts.Expression = node;
  while (ts.isCallExpression(at) || ts.isPropertyAccessExpression(at)) {
    if (ts.isPropertyAccessExpression(at)) names.push(at.name.text);
    at = at.expression;
  }
  return names;
}

/** `db.dynamic`: its `.table('x')` names a table. */
function isDynamic(node: ts.Expression): boolean {
  return ts.isPropertyAccessExpression(node) && node.name.text === 'dynamic';
}

/**
 * Every table a TypeScript file names in a Kysely builder call or in `sql` text. Arguments are
 * read when they are string literals, arrays of them, or a `const` of the same file holding one.
 */
export function tableReferences(fileName: string, text: string): TableReference[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const constants = new Map<string, string>();
  const found: TableReference[] = [];
  const lineOf = (node: ts.Node) => source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
  const stringsOf = (node: ts.Node | undefined): string[] => {
    if (!node) return [];
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return [node.text];
    if (ts.isArrayLiteralExpression(node)) return node.elements.flatMap(stringsOf);
    if (ts.isIdentifier(node) && constants.has(node.text)) return [constants.get(node.text)!];
    return [];
  };
  const scanSql = (node: ts.Node, sqlText: string) => {
    for (const pattern of SQL_PATTERNS) {
      for (const match of sqlText.matchAll(pattern)) found.push({ table: match[1]!, line: lineOf(node), via: 'sql' });
    }
  };
  const collectConstants = (node: ts.Node): void => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) {
      const [value] = stringsOf(node.initializer);
      const literal = ts.isStringLiteral(node.initializer) || ts.isNoSubstitutionTemplateLiteral(node.initializer);
      if (value !== undefined && literal) constants.set(node.name.text, value);
    }
    ts.forEachChild(node, collectConstants);
  };
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      const method = node.expression.name.text;
      const receiver = node.expression.expression;
      const isSqlHelper = ts.isIdentifier(receiver) && receiver.text === 'sql';
      const named =
        TABLE_METHODS.has(method) ||
        method === 'references' ||
        (method === 'on' && chainMethods(receiver).includes('createIndex')) ||
        (method === 'using' && chainMethods(receiver).includes('mergeInto')) ||
        (method === 'table' && (isSqlHelper || isDynamic(receiver)));
      if (named) {
        for (const value of stringsOf(node.arguments[0])) {
          found.push({ table: tableOfArgument(value, method), line: lineOf(node), via: method });
        }
      } else if (isSqlHelper && method === 'raw') {
        for (const value of stringsOf(node.arguments[0])) scanSql(node, value);
      }
    } else if (ts.isTaggedTemplateExpression(node) && ts.isIdentifier(node.tag) && node.tag.text === 'sql') {
      const template = node.template;
      // Interpolations become `?`, which no table name matches: `from ${table}` names nothing we can read.
      const sqlText = ts.isNoSubstitutionTemplateLiteral(template)
        ? template.text
        : [template.head.text, ...template.templateSpans.map((span) => span.literal.text)].join(' ? ');
      scanSql(node, sqlText);
    }
    ts.forEachChild(node, visit);
  };
  collectConstants(source);
  visit(source);
  return found;
}

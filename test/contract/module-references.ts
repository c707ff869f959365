import ts from 'typescript';

/** One module a source file names, where, and whether only its types are used. */
export interface ModuleReference {
  specifier: string;
  line: number;
  /** Erased at compile time: `import type`, `export type`, or `import('x').T` in a type. */
  typeOnly: boolean;
  /** `import { type A } from 'x'`: every name is a type, yet the import stays (verbatimModuleSyntax). */
  inlineTypesOnly: boolean;
}

function literalText(node: ts.Node | undefined): string | undefined {
  return node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) ? node.text : undefined;
}

function inlineTypesOnly(clause: ts.ImportClause | undefined): boolean {
  const bindings = clause?.namedBindings;
  if (!clause || clause.name || !bindings || !ts.isNamedImports(bindings)) return false;
  return bindings.elements.length > 0 && bindings.elements.every((element) => element.isTypeOnly);
}

/**
 * Every module a TypeScript file names: static imports and re-exports, dynamic `import()`,
 * `import x = require()`, `require()`, and type-position `import('x')`. Parsed with the compiler,
 * so imports inside strings, comments or templates are not mistaken for real ones.
 */
export function moduleReferences(fileName: string, text: string): ModuleReference[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: ModuleReference[] = [];
  const add = (node: ts.Node, specifier: string | undefined, typeOnly: boolean, inline = false) => {
    if (specifier === undefined) return;
    const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
    found.push({ specifier, line, typeOnly, inlineTypesOnly: inline });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const typeOnly = node.importClause?.phaseModifier === ts.SyntaxKind.TypeKeyword;
      add(node, literalText(node.moduleSpecifier), typeOnly, inlineTypesOnly(node.importClause));
    } else if (ts.isExportDeclaration(node)) {
      add(node, literalText(node.moduleSpecifier), node.isTypeOnly);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node, literalText(node.moduleReference.expression), node.isTypeOnly);
    } else if (ts.isImportTypeNode(node)) {
      const argument = node.argument;
      add(node, ts.isLiteralTypeNode(argument) ? literalText(argument.literal) : undefined, true);
    } else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const isRequire = ts.isIdentifier(callee) && callee.text === 'require';
      if (callee.kind === ts.SyntaxKind.ImportKeyword || isRequire) add(node, literalText(node.arguments[0]), false);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

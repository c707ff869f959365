import { existsSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import type { ModuleReference } from './module-references.js';
import { REPO_ROOT, shown } from './source-files.js';

const CORE = join(REPO_ROOT, 'core');
const PLUGINS = join(REPO_ROOT, 'plugins');
const TEST_KIT = join(REPO_ROOT, 'test', 'kit');

/** Node builtins and npm packages: anything not relative, absolute or a file URL. */
function isPackage(specifier: string): boolean {
  return !specifier.startsWith('.') && !specifier.startsWith('/') && !specifier.startsWith('file:');
}

/** The file a project specifier names, with the `.js` of ESM specifiers read as the `.ts` it runs from. */
function target(from: string, specifier: string): string {
  const path = specifier.startsWith('file:') ? new URL(specifier).pathname : resolve(dirname(from), specifier);
  return path.replace(/\.(m?)js$/, '.$1ts');
}

function isInside(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel !== '' && !rel.startsWith('..') && !rel.startsWith(sep) && !rel.includes(`..${sep}`);
}

/** The plugin folder a path is in (`plugins/<name>/...`), if any. */
export function pluginOf(path: string): string | undefined {
  return isInside(path, PLUGINS) ? relative(PLUGINS, path).split(sep)[0] : undefined;
}

/** A helper a plugin's tests share, named so: `test-*.ts` (plugins/merges/test-fleet.ts). */
function isTestHelper(file: string): boolean {
  return /^test-.*\.ts$/.test(basename(file));
}

/** A plugin's tests and the helpers they share. */
function isTestCode(file: string): boolean {
  return file.endsWith('.test.ts') || isTestHelper(file);
}

/**
 * Why a plugin file may not import this, or undefined when it may. A plugin reaches the kernel
 * through its public entry only, other plugins only through types of their index (at run time it
 * gets their api from ctx.use), and test helpers only from test/kit or its own `test-*.ts`, in its
 * tests (and those helpers): the plugin itself never loads test code.
 */
export function pluginImportViolation(file: string, reference: ModuleReference): string | undefined {
  const { specifier } = reference;
  if (isPackage(specifier)) return undefined;
  const path = target(file, specifier);
  const own = pluginOf(file);
  const other = pluginOf(path);
  if (path === join(CORE, 'index.ts')) return undefined;
  if (other !== undefined && other === own)
    return isTestHelper(path) && !isTestCode(file)
      ? `${basename(path)} is a test helper: for its tests only`
      : undefined;
  if (isInside(path, TEST_KIT))
    return isTestCode(file) ? undefined : 'test/kit is for *.test.ts files and their test-*.ts helpers only';
  // Say so plainly, rather than blame a plugin folder that a stale relative path happens to point into.
  if (!existsSync(path)) return `names ${shown(path)}, which does not exist`;
  if (other !== undefined && path === join(PLUGINS, other, 'index.ts')) {
    if (reference.typeOnly) return undefined;
    if (reference.inlineTypesOnly) {
      return `write \`import type\`: with verbatimModuleSyntax \`import { type X }\` still loads plugin ${other}`;
    }
    return `plugin ${other}'s index may be imported with \`import type\` only: get its api from ctx.use('${other}')`;
  }
  if (other !== undefined) {
    return `reaches into plugin ${other}'s files: use its api (ctx.use) and \`import type\` from its index`;
  }
  if (isInside(path, CORE)) return "reaches into the kernel's internals: import from core/index.js";
  if (isInside(path, join(REPO_ROOT, 'test'))) return 'plugin tests may use test/kit only';
  return 'is outside the plugin, core/index.js and test/kit';
}

/** Why a kernel file may not import this: the kernel knows no plugin. */
export function coreImportViolation(file: string, reference: ModuleReference): string | undefined {
  if (isPackage(reference.specifier)) return undefined;
  const path = target(file, reference.specifier);
  return isInside(path, PLUGINS) || path === PLUGINS ? 'the kernel imports nothing of plugins/' : undefined;
}

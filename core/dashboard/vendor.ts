import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * The browser libraries' files the dashboard serves, straight from the installed packages (never
 * copied): `/dashboard/vendor/<package>/<path inside the package>`. Only these; a package's other
 * files (its CommonJS builds, its tests, its package.json) are not served.
 */
export const VENDOR_FILES: Readonly<Record<string, readonly string[]>> = {
  preact: ['dist/preact.mjs', 'dist/preact.mjs.map', 'hooks/dist/hooks.mjs', 'hooks/dist/hooks.mjs.map'],
  htm: ['dist/htm.mjs', 'preact/index.mjs'],
  '@xterm/xterm': ['lib/xterm.mjs', 'lib/xterm.mjs.map', 'css/xterm.css'],
  uplot: ['dist/uPlot.esm.js', 'dist/uPlot.min.css'],
};

const require = createRequire(import.meta.url);
const roots = new Map<string, string | undefined>();

/** The installed package's folder, found as Node would resolve it from here; undefined when not installed. */
export function packageRoot(name: string): string | undefined {
  if (roots.has(name)) return roots.get(name);
  let root: string | undefined;
  try {
    root = dirname(require.resolve(`${name}/package.json`));
  } catch {
    // A package whose `exports` hide package.json (htm): look where Node looks.
    root = (require.resolve.paths(name) ?? [])
      .map((folder) => join(folder, name))
      .find((folder) => existsSync(join(folder, 'package.json')));
  }
  roots.set(name, root);
  return root;
}

/**
 * The vendor file a URL path (after `/dashboard/vendor/`) names: `{ file, root }`, or undefined when
 * it is not on the list. The package is the first segment, or the first two for a scope.
 */
export function vendorFile(urlPath: string): { file: string; root: string } | undefined {
  const segments = urlPath.split('/');
  const scoped = segments[0]?.startsWith('@') === true;
  const name = segments.slice(0, scoped ? 2 : 1).join('/');
  const inside = segments.slice(scoped ? 2 : 1).join('/');
  const allowed = Object.hasOwn(VENDOR_FILES, name) ? VENDOR_FILES[name]! : [];
  if (!allowed.includes(inside)) return undefined;
  const root = packageRoot(name);
  return root ? { file: join(root, inside), root } : undefined;
}

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { coreImportViolation, pluginImportViolation } from './import-rules.js';
import { moduleReferences } from './module-references.js';
import { filesUnder, REPO_ROOT, shown } from './source-files.js';

type Rule = typeof pluginImportViolation;

/** `file:line imports 'x': why`, for every reference of every .ts file under `dir` that `rule` refuses. */
function violations(dir: string, rule: Rule): string[] {
  return filesUnder(dir)
    .filter((file) => file.endsWith('.ts'))
    .flatMap((file) =>
      moduleReferences(file, readFileSync(file, 'utf8')).flatMap((reference) => {
        const why = rule(file, reference);
        return why === undefined ? [] : [`${shown(file)}:${reference.line} imports '${reference.specifier}': ${why}`];
      }),
    );
}

function report(t: Test, found: readonly string[], clean: string): void {
  for (const violation of found) t.fail(violation);
  if (found.length === 0) t.pass(clean);
}

const pluginsDir = join(REPO_ROOT, 'plugins');

// One subtest per plugin folder, so a plugin under rewrite shows apart from the finished ones.
const plugins = readdirSync(pluginsDir, { withFileTypes: true }).filter((entry) => entry.isDirectory());
for (const plugin of plugins.map((entry) => entry.name).sort()) {
  const rule = "imports only core/index.js, its own files, test/kit (tests) and other plugins' types";
  t.test(`plugins/${plugin} ${rule}`, async (t) => {
    report(t, violations(join(pluginsDir, plugin), pluginImportViolation), 'no forbidden import');
  });
}

t.test('core/ imports nothing under plugins/', async (t) => {
  report(t, violations(join(REPO_ROOT, 'core'), coreImportViolation), 'no import of a plugin');
});

import { join } from 'node:path';
import t from 'tap';
import { coreImportViolation, pluginImportViolation } from './import-rules.js';
import { moduleReferences } from './module-references.js';
import { REPO_ROOT } from './source-files.js';

/** The verdict on each import of a made-up file at `path` holding `text`. */
function verdicts(path: string, text: string, rule = pluginImportViolation): (string | undefined)[] {
  const file = join(REPO_ROOT, path);
  return moduleReferences(file, text).map((reference) => rule(file, reference));
}

t.test('what a plugin file may import', async (t) => {
  const allowed = [
    "import * as v from 'valibot';",
    "import { readFileSync } from 'node:fs';",
    "import { definePlugin } from '../../core/index.js';",
    "import type { AuthApi } from '../auth/index.js';",
    "export type { AuthApi } from '../auth/index.js';",
    "let api: import('../auth/index.js').AuthApi;",
    "import { x } from './service.js';",
  ];
  t.same(
    verdicts('plugins/tasks/service.ts', allowed.join('\n')),
    allowed.map(() => undefined),
  );
  const migration = "import { isSqlite } from '../../../core/index.js';";
  t.same(verdicts('plugins/tasks/migrations/0001-tasks.ts', migration), [undefined]);
  t.same(verdicts('plugins/tasks/tasks.test.ts', "import { startFleet } from '../../test/kit/fleet.js';"), [undefined]);
  // A helper the plugin's tests share: it may use the kit, and the tests may use it.
  t.same(verdicts('plugins/tasks/test-fleet.ts', "import { startFleet } from '../../test/kit/fleet.js';"), [undefined]);
  t.same(verdicts('plugins/tasks/tasks.test.ts', "import { taskFleet } from './test-fleet.js';"), [undefined]);
});

t.test('what a plugin file may not import', async (t) => {
  const refused = (path: string, text: string, why: RegExp) => t.match(verdicts(path, text), [why], text);
  refused('plugins/tasks/a.ts', "import { auth } from '../auth/index.js';", /import type/);
  refused('plugins/tasks/a.ts', "import { type AuthApi } from '../auth/index.js';", /still loads plugin auth/);
  refused('plugins/tasks/a.ts', "const m = await import('../auth/index.js');", /import type/);
  refused('plugins/tasks/a.ts', "export { auth } from '../auth/index.js';", /import type/);
  refused('plugins/tasks/a.ts', "import type { AgentService } from '../auth/service.js';", /plugin auth's files/);
  refused('plugins/tasks/a.ts', "import { FleetError } from '../../core/errors.js';", /kernel's internals/);
  refused('plugins/tasks/a.ts', "import { startFleet } from '../../test/kit/fleet.js';", /\*\.test\.ts files/);
  refused(
    'plugins/tasks/service.ts',
    "import { taskFleet } from './test-fleet.js';",
    /test helper: for its tests only/,
  );
  refused(
    'plugins/tasks/a.test.ts',
    "import { FAKE_AGENT } from '../../test/fixtures/model-api/server.js';",
    /test\/kit only/,
  );
  refused('plugins/tasks/migrations/0001.ts', "import { f } from '../../core/index.js';", /does not exist/);
  refused('plugins/tasks/a.ts', "import { x } from '../../scripts/docs/markdown.js';", /outside the plugin/);
});

t.test('imports in strings and comments are not imports', async (t) => {
  const text = "// import x from '../../core/log.js'\nconst s = \"import('../auth/index.js')\";";
  t.same(verdicts('plugins/tasks/a.ts', text), []);
});

t.test('the kernel imports no plugin', async (t) => {
  const text = "import { auth } from '../../plugins/auth/index.js';";
  t.match(verdicts('core/kernel/x.ts', text, coreImportViolation), [/nothing of plugins/]);
  t.same(verdicts('core/kernel/x.ts', "import { Kernel } from './kernel.js';", coreImportViolation), [undefined]);
});

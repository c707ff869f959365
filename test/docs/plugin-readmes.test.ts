import t from 'tap';
import { loadPlugin, pluginFolders } from '../../scripts/docs/load-plugin.js';
import { checkReadme } from '../../scripts/docs/readme.js';

/**
 * Every plugin README's generated part matches the code (`npm run docs:plugins -- --check`), so a
 * route, tool, table or error added without regenerating the docs fails `npm test`. A plugin whose
 * index does not import fails too: unlike the script, the test has no --allow-broken.
 */
for (const name of pluginFolders()) {
  t.test(`plugins/${name}/README.md`, async (t) => {
    const loaded = await loadPlugin(name);
    if ('error' in loaded) {
      t.fail(`plugins/${name}/index.ts fails to import, so its README cannot be checked: ${loaded.error.message}`);
      return;
    }
    const status = await checkReadme(loaded.plugin, loaded.dir);
    const fix = `run npm run docs:plugins -- ${name}`;
    t.notOk(status.stale, status.stale ? `${status.path} is stale: ${fix}` : `${status.path} is up to date`);
  });
}

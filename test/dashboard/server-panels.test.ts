/**
 * Panels come and go with the config: a plugin's panel is listed and its folder served exactly
 * while the plugin is on (a live edit of fleet.config.ts turns it off and on again).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { Kernel } from '../../core/kernel/kernel.js';
import { createLogger } from '../../core/log.js';
import { definePlugin } from '../../core/index.js';
import { requestJson, tempDir, waitFor } from '../kit/index.js';

const CORE_INDEX = join(import.meta.dirname, '../../core/index.ts');

function writeConfig(file: string, plugins: Record<string, boolean>): void {
  writeFileSync(
    file,
    `import { defineConfig } from ${JSON.stringify(CORE_INDEX)};\n\n` +
      `export default defineConfig(${JSON.stringify({ plugins }, null, 2)});\n`,
  );
}

/** A plugin with a panel in a folder of its own: index.js, a nested module, a stylesheet, and a file not served. */
function panelPlugin(dir: string, name: string, title: string, order?: number) {
  const folder = join(dir, name, 'panel');
  mkdirSync(join(folder, 'parts'), { recursive: true });
  writeFileSync(join(folder, 'index.js'), `export const views = []; // ${name}\n`);
  writeFileSync(join(folder, 'parts', 'table.js'), 'export const table = 1;\n');
  writeFileSync(join(folder, 'panel.css'), '.x { color: red }\n');
  writeFileSync(join(folder, 'notes.md'), 'not served\n');
  writeFileSync(join(dir, name, 'secret.js'), 'beside the panel folder: not served\n');
  return definePlugin({
    name,
    panel: { entry: join(folder, 'index.js'), title, ...(order === undefined ? {} : { order }) },
    setup: () => undefined,
  });
}

t.test('the panels list and files follow a live config toggle', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'fleet.config.ts');
  writeConfig(file, { auth: true, 'demo-board': true, zeta: true });
  const kernel = await Kernel.boot({
    path: file,
    env: {},
    overrides: { server: { port: 0 } },
    plugins: [panelPlugin(dir, 'demo-board', 'Board', 30), panelPlugin(dir, 'zeta', 'Zeta')],
    log: createLogger({ level: 'warn', sink: () => undefined }),
  });
  t.teardown(() => kernel.stop());
  const url = kernel.url;
  const lead = await requestJson(url, 'POST', '/auth', {
    token: kernel.adminKey,
    body: { handle: 'boss', teamName: 'alpha', agentType: 'team-lead' },
  });
  const worker = await requestJson(url, 'POST', '/auth', {
    token: kernel.adminKey,
    body: { handle: 'w1', teamName: 'alpha' },
  });
  const panels = async () =>
    (await requestJson(url, 'GET', '/dashboard/panels', { token: worker.body.token })).body.panels as {
      plugin: string;
    }[];

  t.same(await panels(), [
    { plugin: 'demo-board', title: 'Board', order: 30, url: '/dashboard/panels/demo-board/index.js' },
    { plugin: 'zeta', title: 'Zeta', order: 100, url: '/dashboard/panels/zeta/index.js' },
  ]);
  const served = async (path: string) => (await fetch(url + path)).status;
  t.equal(await served('/dashboard/panels/demo-board/index.js'), 200);
  const nested = await fetch(`${url}/dashboard/panels/demo-board/parts/table.js`);
  t.equal(nested.status, 200, 'a module beside the entry');
  t.match(nested.headers.get('content-type'), /^text\/javascript/);
  t.match((await fetch(`${url}/dashboard/panels/demo-board/panel.css`)).headers.get('content-type'), /^text\/css/);
  t.equal(await served('/dashboard/panels/demo-board/notes.md'), 404, 'not a served extension');
  t.equal(await served('/dashboard/panels/demo-board/secret.js'), 404, 'only the panel folder');
  t.equal(await served('/dashboard/panels/demo-board/../secret.js'), 404);

  const plugins = await requestJson(url, 'GET', '/dashboard/plugins', { token: lead.body.token });
  t.match(
    (plugins.body.plugins as { name: string }[]).find((plugin) => plugin.name === 'demo-board'),
    { state: 'on', panel: { title: 'Board', url: '/dashboard/panels/demo-board/index.js' } },
  );

  writeConfig(file, { auth: true, 'demo-board': false, zeta: true });
  await waitFor('demo-board off', async () => (await panels()).length === 1, 15_000);
  t.same(
    (await panels()).map((panel) => panel.plugin),
    ['zeta'],
  );
  t.equal(await served('/dashboard/panels/demo-board/index.js'), 404, 'an off plugin’s panel is not served');
  const off = await requestJson(url, 'GET', '/dashboard/plugins', { token: lead.body.token });
  t.match(
    (off.body.plugins as { name: string }[]).find((plugin) => plugin.name === 'demo-board'),
    { state: 'off', reason: 'turned off in the config', panel: null },
  );

  writeConfig(file, { auth: true, 'demo-board': true, zeta: true });
  await waitFor('demo-board on again', async () => (await panels()).length === 2, 15_000);
  t.equal(await served('/dashboard/panels/demo-board/index.js'), 200, 'served again');
});

t.test('a panel that is not an absolute .js path is refused when the plugin is offered', async (t) => {
  for (const panel of [
    { entry: 'panel/index.js', title: 'Relative' },
    { entry: '/abs/panel/index.ts', title: 'TypeScript' },
    { entry: '/abs/panel/index.js', title: '' },
  ]) {
    const plugin = definePlugin({ name: 'bad-panel', panel, setup: () => undefined });
    await t.rejects(
      Kernel.boot({
        overrides: { server: { port: 0 } },
        env: {},
        cwd: tempDir(t),
        plugins: [plugin],
        log: createLogger({ level: 'error', sink: () => undefined }),
      }),
      { code: 'FLEET_ERR_PLUGIN_INVALID', message: /panel\./ },
      JSON.stringify(panel),
    );
  }
});

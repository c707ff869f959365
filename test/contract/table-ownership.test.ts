import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { resolveConfig } from '../../core/config/load-config.js';
import { migrationTableName } from '../../core/db/plugin-migrator.js';
import { isFleetError } from '../../core/errors.js';
import { Kernel } from '../../core/kernel/kernel.js';
import { createLogger } from '../../core/log.js';
import type { AnyPlugin } from '../../core/plugin.js';
import { auth } from '../../plugins/auth/index.js';
import { loadPlugin, pluginFolders } from '../../scripts/docs/load-plugin.js';
import { requestJson, type TestLike, tempDir } from '../kit/index.js';
import { ledger, type LedgerApi, type RogueApi, roguePlugin } from './rogue-plugins.js';
import { filesUnder, shown } from './source-files.js';
import { tableReferences } from './table-references.js';

// (a) Static: no plugin's source or migration names a table another plugin declares.

/** A plugin's sources the scan reads: everything but its tests. */
function sourcesOf(dir: string): string[] {
  return filesUnder(dir).filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'));
}

const folders = pluginFolders();
const loaded = new Map<string, Awaited<ReturnType<typeof loadPlugin>>>();
for (const name of folders) loaded.set(name, await loadPlugin(name));

/** Who owns each table: what each plugin declares, plus its migration tracking tables. */
const owners = new Map<string, string>();
for (const [name, result] of loaded) {
  if ('error' in result) continue;
  const tracking = migrationTableName(name);
  for (const table of [...(result.plugin.tables?.names ?? []), tracking, `${tracking}_lock`]) owners.set(table, name);
}
// A plugin under rewrite that does not load still owns what its migrations create, so the others
// are checked against it; its own failure to load is reported in its subtest.
for (const [name, result] of loaded) {
  if (!('error' in result)) continue;
  for (const file of sourcesOf(join(result.dir, 'migrations'))) {
    for (const reference of tableReferences(file, readFileSync(file, 'utf8'))) {
      if (reference.via === 'createTable' && !owners.has(reference.table)) owners.set(reference.table, name);
    }
  }
}

for (const name of folders) {
  t.test(`plugins/${name} names no other plugin's table`, async (t) => {
    const result = loaded.get(name)!;
    if ('error' in result) {
      const reason = result.error.message.split('\n')[0];
      t.fail(`plugins/${name}/index.ts fails to import (${reason}): its tables were read from its migrations`);
    }
    let clean = true;
    for (const file of sourcesOf(result.dir)) {
      for (const reference of tableReferences(file, readFileSync(file, 'utf8'))) {
        const owner = owners.get(reference.table);
        if (owner === undefined || owner === name) continue;
        clean = false;
        const where = `${shown(file)}:${reference.line}`;
        t.fail(`${where}: ${reference.via} names table ${reference.table}, which belongs to plugin ${owner}`);
      }
    }
    if (clean) t.pass('every table it names is its own');
  });
}

// (b) Runtime: the kernel refuses such a query before it runs.

/** A real fleet with only the given plugins (none from plugins/, so those under rewrite stay out). */
async function boot(t: TestLike, plugins: AnyPlugin[], logs: string[] = []): Promise<Kernel> {
  const dataDir = tempDir(t);
  const enabled = Object.fromEntries(plugins.map((plugin) => [plugin.name, true]));
  const config = resolveConfig({ dataDir, server: { port: 0 }, plugins: enabled }, { env: {}, cwd: dataDir });
  const log = createLogger({ level: 'debug', sink: (line) => logs.push(line) });
  const kernel = await Kernel.boot({ config, pluginDirs: [], plugins, log });
  t.teardown(() => kernel.stop());
  return kernel;
}

t.test("a plugin querying another plugin's table through ctx.db is refused, naming the owner", async (t) => {
  const logs: string[] = [];
  const kernel = await boot(t, [auth, roguePlugin(), ledger], logs);
  const rogue = kernel.api<RogueApi>('rogue')!;

  const error = await rogue.readAgents().then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  t.ok(isFleetError(error, 'FLEET_ERR_TABLE_NOT_OWNED'), 'a FleetError FLEET_ERR_TABLE_NOT_OWNED');
  t.match(error, {
    message: /plugin rogue used table agents, which belongs to plugin auth/,
    details: { plugin: 'rogue', table: 'agents', owner: 'auth' },
  });

  // Through a route: a 500 that tells the client nothing of tables; the log has the reason.
  const admin = { authorization: `Bearer ${kernel.adminKey}` };
  const body = { handle: 'ana', teamName: 'red' };
  const registered = await requestJson(kernel.url, 'POST', '/auth', { headers: admin, body });
  t.equal(registered.status, 200);
  const peek = await requestJson(kernel.url, 'GET', '/rogue/agents', { token: registered.body.token });
  t.equal(peek.status, 500);
  t.same(peek.body, { error: 'Internal server error', code: 'FLEET_INTERNAL' });
  const logged = logs.some((line) => line.includes('used table agents, which belongs to plugin auth'));
  t.ok(logged, 'the log names the refused table and its owner');
});

t.test("a plugin's own tables work, and a joined transaction writes them in one commit", async (t) => {
  const kernel = await boot(t, [auth, roguePlugin(), ledger]);
  const rogue = kernel.api<RogueApi>('rogue')!;
  const ledgerApi = kernel.api<LedgerApi>('ledger')!;

  await rogue.addNote('a', 'own table');
  t.same(await rogue.notes(), [{ id: 'a', body: 'own table' }]);

  await ledgerApi.record('e1');
  t.same(await ledgerApi.entries(), ['e1']);
  const notes = [
    { id: 'a', body: 'own table' },
    { id: 'e1', body: 'joined' },
  ];
  t.same(await rogue.notes(), notes, "rogue wrote in ledger's transaction");

  await t.rejects(ledgerApi.record('e2', { fail: true }), /rolled back on purpose/);
  t.same(await ledgerApi.entries(), ['e1'], 'the failed transaction left no entry');
  t.same(
    (await rogue.notes()).map((note) => note.id),
    ['a', 'e1'],
    'nor a note: one commit covered both plugins',
  );

  // Joining a transaction lends its connection, not the other plugin's tables.
  await t.rejects(ledgerApi.rogueReadsLedgerIn(), {
    code: 'FLEET_ERR_TABLE_NOT_OWNED',
    details: { table: 'ledger_entries', owner: 'ledger' },
  });
});

t.test("a migration naming another plugin's table fails the plugin's start", async (t) => {
  await t.rejects(boot(t, [auth, roguePlugin({ indexOnAgents: true })]), {
    code: 'FLEET_ERR_MIGRATION',
    message: /migration 0002_index_agents failed: plugin rogue used table agents, which belongs to plugin auth/,
  });
});

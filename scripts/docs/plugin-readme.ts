/**
 * Regenerate the part of each plugins/<name>/README.md between `<!-- generated:start -->` and
 * `<!-- generated:end -->` from the plugin's code: routes, tools, events, tables, error codes, options.
 *
 *   node --import tsx scripts/docs/plugin-readme.ts [--check] [--allow-broken] [plugin...]
 *
 * --check         write nothing; name each stale README and exit 1 if any is.
 * --allow-broken  skip, with a warning, a plugin whose index.ts fails to import (one under rewrite).
 * No plugin named: every folder under plugins/ with an index.ts.
 */
import { loadPlugin, pluginFolders } from './load-plugin.js';
import { checkReadme, writeReadme } from './readme.js';

const USAGE = 'usage: plugin-readme.ts [--check] [--allow-broken] [plugin...]';

function parseArgs(argv: readonly string[]): { check: boolean; allowBroken: boolean; names: string[] } {
  const flags = argv.filter((arg) => arg.startsWith('-'));
  const unknown = flags.find((flag) => flag !== '--check' && flag !== '--allow-broken');
  if (unknown !== undefined) throw new Error(`unknown option ${unknown}\n${USAGE}`);
  const names = argv.filter((arg) => !arg.startsWith('-'));
  return { check: flags.includes('--check'), allowBroken: flags.includes('--allow-broken'), names };
}

/** Exit status: 0 all good, 1 a README is stale (--check) or a plugin could not be documented. */
export async function main(argv: readonly string[]): Promise<number> {
  const { check, allowBroken, names } = parseArgs(argv);
  const available = pluginFolders();
  const missing = names.filter((name) => !available.includes(name));
  if (missing.length > 0) throw new Error(`no plugin folder with an index.ts: ${missing.join(', ')}`);
  let status = 0;
  for (const name of names.length > 0 ? names : available) {
    const loaded = await loadPlugin(name);
    if ('error' in loaded) {
      const reason = loaded.error.message.split('\n')[0];
      if (allowBroken) {
        console.warn(`warning: skipped plugins/${name}: its index.ts fails to import (${reason})`);
        continue;
      }
      console.error(`error: plugins/${name}: its index.ts fails to import (${reason}); --allow-broken skips it`);
      status = 1;
      continue;
    }
    const result = check ? await checkReadme(loaded.plugin, loaded.dir) : await writeReadme(loaded.plugin, loaded.dir);
    if (check && result.stale) {
      console.error(`stale: ${result.path} (run npm run docs:plugins -- ${name})`);
      status = 1;
    } else {
      console.log(`${check ? 'up to date' : result.stale ? 'wrote' : 'unchanged'}: ${result.path}`);
    }
  }
  return status;
}

main(process.argv.slice(2)).then(
  (status) => {
    process.exitCode = status;
  },
  (error: unknown) => {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);

import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { FleetError } from '../errors.js';
import { type AnyPlugin, isPluginDefinition } from '../plugin.js';
import { checkPluginDeclarations } from './surface.js';

/** The plugins folder of this checkout. */
export const DEFAULT_PLUGIN_DIR = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../plugins');

/**
 * Every plugin the fleet could run: one folder per plugin under each plugin dir, its `index.ts`
 * exporting a definePlugin() object named like the folder. Deleting a folder removes the plugin.
 */
export async function discoverPlugins(dirs: readonly string[] = [DEFAULT_PLUGIN_DIR]): Promise<Map<string, AnyPlugin>> {
  const catalog = new Map<string, AnyPlugin>();
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const index = join(dir, entry.name, 'index.ts');
      if (!existsSync(index)) continue;
      const mod = (await import(pathToFileURL(index).href)) as Record<string, unknown>;
      const plugin = Object.values(mod).find(isPluginDefinition);
      if (!plugin) {
        throw new FleetError('FLEET_ERR_PLUGIN_INVALID', `${index}: exports no definePlugin() object`, {
          plugin: entry.name,
        });
      }
      if (plugin.name !== entry.name) {
        throw new FleetError(
          'FLEET_ERR_PLUGIN_INVALID',
          `${index}: plugin is named ${plugin.name} but its folder is ${entry.name}`,
          {
            plugin: entry.name,
          },
        );
      }
      checkPluginDeclarations(plugin);
      catalog.set(plugin.name, plugin);
    }
  }
  return catalog;
}

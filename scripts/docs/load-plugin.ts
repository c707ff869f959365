import { existsSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type AnyPlugin, isPluginDefinition } from '../../core/plugin.js';

/** The root of this checkout. */
export const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** This checkout's plugins folder. */
export const PLUGINS_DIR = join(REPO_ROOT, 'plugins');

/** A plugin folder after trying to import its index: the definition, or why it could not be had. */
export type LoadedPlugin =
  { name: string; dir: string; plugin: AnyPlugin } | { name: string; dir: string; error: Error };

/** Every plugin folder (one holding an index.ts), sorted by name. */
export function pluginFolders(pluginsDir: string = PLUGINS_DIR): string[] {
  return readdirSync(pluginsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(pluginsDir, entry.name, 'index.ts')))
    .map((entry) => entry.name)
    .sort();
}

/**
 * Import `plugins/<name>/index.ts` and find its definePlugin() object, as core/kernel/catalog.ts
 * does. A failure is returned, not thrown: callers decide whether a plugin under rewrite is fatal.
 */
export async function loadPlugin(name: string, pluginsDir: string = PLUGINS_DIR): Promise<LoadedPlugin> {
  const dir = join(pluginsDir, name);
  const index = join(dir, 'index.ts');
  const shown = relative(REPO_ROOT, index);
  try {
    if (!existsSync(index)) throw new Error(`${shown} does not exist`);
    const mod = (await import(pathToFileURL(index).href)) as Record<string, unknown>;
    const plugin = Object.values(mod).find(isPluginDefinition);
    if (!plugin) throw new Error(`${shown} exports no definePlugin() object`);
    if (plugin.name !== name) throw new Error(`${shown}: plugin is named ${plugin.name} but its folder is ${name}`);
    return { name, dir, plugin };
  } catch (error) {
    return { name, dir, error: error instanceof Error ? error : new Error(String(error)) };
  }
}

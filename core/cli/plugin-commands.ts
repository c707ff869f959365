import { loadConfig } from '../config/load-config.js';
import { discoverPlugins } from '../kernel/catalog.js';
import { pluginOptions } from '../kernel/plan.js';
import type { AnyPlugin, PluginCommand } from '../plugin.js';

/** `--config <file>` or `--config=<file>` among a command's arguments. */
function configArgument(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--config') return args[i + 1];
    if (args[i]!.startsWith('--config=')) return args[i]!.slice('--config='.length);
  }
  return undefined;
}

/** Every command the plugins of this checkout add to the CLI, by name. */
/** A plugin's command, whatever that plugin's options. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each plugin's options differ; its command checks them
type AnyCommand = PluginCommand<any>;

export async function pluginCommands(): Promise<Map<string, { plugin: AnyPlugin; command: AnyCommand }>> {
  const commands = new Map<string, { plugin: AnyPlugin; command: AnyCommand }>();
  for (const plugin of (await discoverPlugins()).values()) {
    for (const [name, command] of Object.entries(plugin.commands ?? {})) commands.set(name, { plugin, command });
  }
  return commands;
}

/**
 * Run a plugin's command with the config file's options for that plugin (its defaults when the
 * config leaves it off), so `fleet attach` finds the same tmux socket the fleet uses.
 */
export async function runPluginCommand(
  plugin: AnyPlugin,
  command: AnyCommand,
  args: readonly string[],
): Promise<number> {
  const config = await loadConfig({ path: configArgument(args) });
  const options = pluginOptions(plugin, config.plugins[plugin.name], config.env);
  return command.run(args, { config, options });
}

import { CliError } from './errors.js';
import { pluginCommands, runPluginCommand } from './plugin-commands.js';

const COMMANDS: Record<string, { summary: string; load: () => Promise<{ run(args: string[]): Promise<number> }> }> = {
  up: { summary: 'Start the fleet server (HTTP, WebSocket, plugins) in the foreground', load: () => import('./up.js') },
  status: { summary: "Show a running fleet's health", load: () => import('./status.js') },
  plugins: { summary: 'List plugins: on, off, and why', load: () => import('./plugins.js') },
  token: { summary: 'Register an agent with the admin key and print its token', load: () => import('./token.js') },
  workers: {
    summary: "Every team's workers (or one team's): state, health, restarts, turns, cost",
    load: () => import('./workers.js'),
  },
  logs: { summary: "A worker's readable transcript (-f to follow)", load: () => import('./logs.js') },
  spawn: { summary: 'Start a worker with a first prompt', load: () => import('./spawn.js') },
  send: { summary: 'Send a message to a worker', load: () => import('./send.js') },
  dismiss: { summary: 'Stop a worker, its window and its tokens', load: () => import('./dismiss.js') },
  open: { summary: "Open the fleet's web dashboard (a one-time sign-in link)", load: () => import('./open.js') },
  board: { summary: "The fleet's overview window in tmux (run by the fleet)", load: () => import('./board.js') },
  pane: { summary: "Host a worker's agent inside its tmux pane (run by the fleet)", load: () => import('./pane.js') },
  mcp: {
    summary: 'Run the stdio MCP server for Claude Code (`fleet mcp install` registers it)',
    load: () => import('./mcp.js'),
  },
};

export const MAIN_HELP = `Usage: fleet <command> [options]   (fleet --version: the version)

Commands:
${Object.entries(COMMANDS)
  .map(([name, command]) => `  ${name.padEnd(9)}${command.summary}`)
  .join('\n')}

Run \`fleet <command> --help\` for a command's options.`;

/** The help, with the commands plugins add (\`attach\` from workers). */
async function fullHelp(): Promise<string> {
  const extra = [...(await pluginCommands())].map(
    ([name, { plugin, command }]) => `  ${name.padEnd(9)}${command.summary} (plugin ${plugin.name})`,
  );
  return extra.length > 0
    ? MAIN_HELP.replace('\n\nRun ', `\n\nPlugin commands:\n${extra.join('\n')}\n\nRun `)
    : MAIN_HELP;
}

/** Run the CLI; returns the exit code. Errors print one line, never a stack. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === '--version' || name === '-V') {
    process.stdout.write(`${(await import('../version.js')).FLEET_VERSION}\n`);
    return 0;
  }
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write((await fullHelp()) + '\n');
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  try {
    if (!command) {
      const contributed = (await pluginCommands()).get(name);
      if (!contributed) {
        process.stderr.write(`fleet: unknown command ${JSON.stringify(name)}; run \`fleet --help\`\n`);
        return 2;
      }
      return await runPluginCommand(contributed.plugin, contributed.command, args);
    }
    return await (await command.load()).run(args);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`fleet ${name}: ${message}\n`);
    return error instanceof CliError ? error.exitCode : 1;
  }
}

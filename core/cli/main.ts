import { CliError } from './errors.js';

const COMMANDS: Record<string, { summary: string; load: () => Promise<{ run(args: string[]): Promise<number> }> }> = {
  up: { summary: 'Start the fleet server (HTTP, WebSocket, plugins) in the foreground', load: () => import('./up.js') },
  status: { summary: "Show a running fleet's health", load: () => import('./status.js') },
  plugins: { summary: 'List plugins: on, off, and why', load: () => import('./plugins.js') },
  token: { summary: 'Register an agent with the admin key and print its token', load: () => import('./token.js') },
  attach: { summary: "Attach to the fleet's tmux session (one window per worker)", load: () => import('./attach.js') },
  board: { summary: "The fleet's overview window in tmux (run by the fleet)", load: () => import('./board.js') },
  pane: { summary: "Host a worker's agent inside its tmux pane (run by the fleet)", load: () => import('./pane.js') },
  mcp: { summary: 'Run the stdio MCP server for Claude Code (`fleet mcp install` registers it)', load: () => import('./mcp.js') },
};

export const MAIN_HELP = `Usage: fleet <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, command]) => `  ${name.padEnd(9)}${command.summary}`)
  .join('\n')}

Run \`fleet <command> --help\` for a command's options.`;

/** Run the CLI; returns the exit code. Errors print one line, never a stack. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(MAIN_HELP + '\n');
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`fleet: unknown command ${JSON.stringify(name)}; run \`fleet --help\`\n`);
    return 2;
  }
  try {
    return await (await command.load()).run(args);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`fleet ${name}: ${message}\n`);
    return error instanceof CliError ? error.exitCode : 1;
  }
}

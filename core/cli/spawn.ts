import { resolve } from 'node:path';
import { checkName, OPERATOR_HELP, OPERATOR_NOTE, OPERATOR_OPTIONS, operatorFor } from './operator.js';
import { usageError } from './errors.js';
import { parseCommand } from './parse.js';

const HELP = `
Usage: fleet spawn <handle> [--prompt <text>] [--team <team>] [--dir <dir>] [--adapter <name>]
                   [--model <model>] [--worktree]

Start a worker in its own tmux window (Claude Code unless --adapter says otherwise), with a first
prompt. When the fleet is full it is queued, and the command says at which position.
Watch it with \`fleet logs <handle> -f\` or \`fleet attach <handle>\`.

${OPERATOR_NOTE}

Options:
  --prompt <text>     Its first prompt
  --dir <dir>         Where it works (default: the fleet's plugins.workers.workingDir, else the
                      directory \`fleet up\` runs in)
  --adapter <name>    claude, or a command configured in plugins.workers.commands
  --model <model>     The model to ask for
  --worktree          A git worktree of its own (branch fleet/<handle>)
${OPERATOR_HELP}
  -h, --help          Show this help
`;

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommand(
    args,
    {
      ...OPERATOR_OPTIONS,
      prompt: { type: 'string' },
      dir: { type: 'string' },
      adapter: { type: 'string' },
      model: { type: 'string' },
      worktree: { type: 'boolean' },
    },
    HELP,
    true,
  );
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  if (positionals.length > 1) throw usageError(`one worker at a time (got ${positionals.join(', ')}); see --help`);
  const handle = checkName('<handle>', positionals[0]);
  const operator = await operatorFor(values);
  const answer = await operator.call<{ state?: string; queued?: boolean; position?: number }>(
    'POST',
    '/orchestrate/spawn',
    {
      handle,
      initialPrompt: values.prompt,
      workingDir: values.dir === undefined ? undefined : resolve(values.dir),
      adapter: values.adapter,
      model: values.model,
      worktree: values.worktree,
    },
  );
  process.stdout.write(
    answer.queued
      ? `queued ${handle} (team ${operator.team}): position ${answer.position} until a worker slot frees\n`
      : `spawned ${handle} (team ${operator.team}): ${answer.state}\n`,
  );
  return 0;
}

import { resolve } from 'node:path';
import { operatorFor } from './operator.js';
import { operatorHelp, parseWorkerCommand } from './operator-command.js';

const HELP = operatorHelp(
  `fleet spawn <handle> [--prompt <text>] [--team <team>] [--dir <dir>] [--adapter <name>]
                   [--model <model>] [--worktree]`,
  `Start a worker in its own tmux window (Claude Code unless --adapter says otherwise), with a first
prompt. When the fleet is full it is queued, and the command says at which position.
Watch it with \`fleet logs <handle> -f\` or \`fleet attach <handle>\`.`,
  `  --prompt <text>     Its first prompt
  --dir <dir>         Where it works (default: the fleet's plugins.workers.workingDir, else the
                      directory \`fleet up\` runs in)
  --adapter <name>    claude, or a command configured in plugins.workers.commands
  --model <model>     The model to ask for
  --worktree          A git worktree of its own (branch fleet/<handle>)
`,
);

export async function run(args: string[]): Promise<number> {
  const parsed = parseWorkerCommand(args, HELP, {
    prompt: { type: 'string' },
    dir: { type: 'string' },
    adapter: { type: 'string' },
    model: { type: 'string' },
    worktree: { type: 'boolean' },
  });
  if (!parsed) return 0;
  const { values, handle } = parsed;
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

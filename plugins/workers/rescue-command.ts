import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  checkName,
  OPERATOR_HELP,
  OPERATOR_NOTE,
  OPERATOR_OPTIONS,
  operatorFor,
  type PluginCommand,
  usageError,
} from '../../core/index.js';
import type { WorkersOptions } from './options.js';

const USAGE = `Usage: fleet rescue list [--handle <handle>] [--team <team>] [--json]
       fleet rescue restore <id> [--handle <handle>] [--path <dir>] [--team <team>]

Rescues are what the fleet saved before removing a worker's worktree that held uncommitted changes,
untracked files or unpushed commits: a commit at refs/fleet/rescue/<handle>/<time> in its repository.
list shows the team's rescues (newest first); restore <id> makes a new worktree on a new branch
fleet/<handle> (default <handle>-r<id>) at the rescued HEAD, with the rescued changes uncommitted and
untracked files untracked, at --path or <data dir>/worktrees/<team>/<handle>. An existing directory
or branch is never overwritten.

${OPERATOR_NOTE}

Options:
  --handle <handle>   list: only this worker's rescues; restore: the new worktree's handle
  --path <dir>        restore: where the new worktree goes (absolute; must not exist)
  --json              list: print the rescues as the fleet gives them
${OPERATOR_HELP}
  -h, --help          Show this help`;

interface Rescue {
  id: number;
  handle: string;
  ref: string;
  branch: string | null;
  changed: number;
  untracked: number;
  unpushed: number;
  createdAt: string;
  restored: { path: string; branch: string } | null;
}

/** Columns padded to their widest cell, two spaces apart. */
export function rescueTable(rescues: readonly Rescue[]): string {
  const rows = [
    ['ID', 'HANDLE', 'CREATED', 'CHANGED', 'UNTRACKED', 'UNPUSHED', 'RESTORED', 'REF'],
    ...rescues.map((r) => [
      String(r.id),
      r.handle,
      r.createdAt,
      String(r.changed),
      String(r.untracked),
      String(r.unpushed),
      r.restored ? r.restored.path : '-',
      r.ref,
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

async function run(argv: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        ...OPERATOR_OPTIONS,
        handle: { type: 'string' },
        path: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw usageError(`${(error as Error).message.split('\n')[0]}; see --help`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const [action, ...rest] = positionals;
  if (values.handle !== undefined) checkName('--handle', values.handle);
  if (action === 'list') {
    if (rest.length > 0) throw usageError(`list takes no arguments (got ${rest.join(' ')}); see --help`);
    if (values.path !== undefined) throw usageError('--path is for restore; see --help');
    const operator = await operatorFor(values);
    const query = values.handle ? `?handle=${values.handle}` : '';
    const rescues = await operator.call<Rescue[]>('GET', `/orchestrate/rescue${query}`);
    if (values.json) process.stdout.write(`${JSON.stringify(rescues, null, 2)}\n`);
    else if (rescues.length === 0) process.stdout.write(`no rescues in team ${operator.team}\n`);
    else process.stdout.write(`${rescueTable(rescues)}\n`);
    return 0;
  }
  if (action === 'restore') {
    const [id, ...extra] = rest;
    if (id === undefined || !/^[1-9]\d{0,9}$/.test(id))
      throw usageError(`restore needs a rescue id (a positive number; got ${id ?? 'none'}); see --help`);
    if (extra.length > 0) throw usageError(`one rescue at a time (got ${rest.join(', ')}); see --help`);
    if (values.json) throw usageError('--json is for list; see --help');
    const path = values.path === undefined ? undefined : resolve(values.path);
    const operator = await operatorFor(values);
    const { rescue, restored } = await operator.call<{
      rescue: Rescue;
      restored: { handle: string; path: string; branch: string };
    }>('POST', `/orchestrate/rescue/${id}/restore`, {
      ...(values.handle ? { handle: values.handle } : {}),
      ...(path ? { path } : {}),
    });
    process.stdout.write(
      `restored rescue ${rescue.id} of ${rescue.handle} to ${restored.path} on branch ${restored.branch}: ` +
        `${rescue.changed} changed and ${rescue.untracked} untracked files back as uncommitted changes, ` +
        `${rescue.unpushed} unpushed commits on the branch\n`,
    );
    return 0;
  }
  throw usageError(
    action === undefined ? 'say list or restore <id>; see --help' : `unknown action ${action}; see --help`,
  );
}

/**
 * `fleet rescue list` and `fleet rescue restore <id>`: the team's worktree rescues, through the fleet's API, as the
 * team's lead operator (like fleet spawn and dismiss). A refusal is one line and exit 2 (1 for what the fleet lacks).
 */
export const rescueCommand: PluginCommand<WorkersOptions> = {
  summary: 'Worktree rescues: list them, restore one into a new worktree',
  usage: USAGE,
  run: (argv) => run(argv),
};

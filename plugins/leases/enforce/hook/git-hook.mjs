#!/usr/bin/env node
// The fleet's git hook for a worker's worktree (plain JavaScript, no dependencies). Installed by the
// leases plugin as every hook name in a hooks directory of the worker's own (core.hooksPath set with
// `git config --worktree`), so it runs for that worktree only. As `pre-commit` it asks the fleet
// (POST /leases/check with the worker's token, from fleet-lease.json beside it) whether the staged
// paths are leased to another agent, and refuses the commit when they are. It fails OPEN: when the
// fleet cannot be reached or answers something else, it warns and lets the commit go (a person may
// commit while the fleet is down; the fleet's check after each turn still sees the change). Then, for
// every hook name, it runs the repository's own hook of that name, if there is one.
import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const self = fileURLToPath(import.meta.url);
const here = dirname(self);
const name = basename(process.argv[1] ?? self);
const TIMEOUT_MS =
  Number(process.env.FLEET_LEASE_HOOK_TIMEOUT_MS) > 0 ? Number(process.env.FLEET_LEASE_HOOK_TIMEOUT_MS) : 10_000;

function readConfig() {
  try {
    return JSON.parse(readFileSync(join(here, 'fleet-lease.json'), 'utf8'));
  } catch {
    return {};
  }
}

function git(args) {
  return execFileSync('git', args, { encoding: 'utf8', env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } });
}

async function ask(config, repo, paths) {
  const url = new URL('/leases/check', config.url);
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${config.token}` },
    body: JSON.stringify({ repo, paths }),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  if (!response.ok) throw new Error(`the fleet answered ${response.status}`);
  const body = await response.json();
  if (typeof body?.allowed !== 'boolean') throw new Error('the fleet gave no answer');
  return body;
}

function describe(conflict) {
  const who = conflict.holder ?? 'another team';
  const until = conflict.expiresAt ? ` until ${conflict.expiresAt}` : '';
  const lease = conflict.leaseId ? ` (lease ${conflict.leaseId})` : '';
  return `  ${conflict.path}: leased ${conflict.mode === 'shared' ? 'shared' : 'exclusively'} to ${who}${until}${lease}`;
}

/** 0: commit; 1: refused. */
async function preCommit() {
  const config = readConfig();
  if (!config.url || !config.token) {
    process.stderr.write('fleet lease check: no fleet settings beside the hook; the commit is not checked\n');
    return 0;
  }
  const staged = git(['diff', '--cached', '--name-only', '-z', '--no-renames']).split('\0').filter(Boolean);
  if (staged.length === 0) return 0;
  const repo = git(['rev-parse', '--show-toplevel']).trim();
  const conflicts = [];
  try {
    for (let i = 0; i < staged.length; i += 100) {
      const answer = await ask(config, repo, staged.slice(i, i + 100));
      if (!answer.allowed) conflicts.push(...(answer.conflicts ?? []));
    }
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    process.stderr.write(`fleet lease check: the fleet could not be asked (${why}); committing unchecked\n`);
    return 0;
  }
  if (conflicts.length === 0) return 0;
  process.stderr.write('fleet lease check: this commit changes paths other agents hold leases on:\n');
  for (const conflict of conflicts) process.stderr.write(`${describe(conflict)}\n`);
  process.stderr.write('Unstage them (git restore --staged <path>) or ask their holder or your lead.\n');
  return 1;
}

/** The repository's own hook of this name (core.hooksPath of the shared config, or .git/hooks). */
function forward() {
  const config = readConfig();
  const dir = typeof config.originalHooks === 'string' ? config.originalHooks : undefined;
  if (!dir || resolve(dir) === resolve(here)) return 0;
  const hook = join(dir, name);
  try {
    accessSync(hook, constants.X_OK);
  } catch {
    return 0;
  }
  const result = spawnSync(hook, process.argv.slice(2), { stdio: 'inherit' });
  return result.status ?? 1;
}

const code = name === 'pre-commit' ? await preCommit() : 0;
process.exit(code === 0 ? forward() : code);

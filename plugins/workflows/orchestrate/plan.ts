import { existsSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { invalidInput } from '../../../core/index.js';
import type { MultiRepoInput, RepositoryInput, TaskInput, WavesInput } from './inputs.js';

/** How one unit runs: a Claude Code worker with a prompt, or a command from its argument vector. */
export interface UnitWork {
  mode: 'prompt' | 'argv';
  prompt?: string;
  argv?: string[];
  timeoutMs: number;
  successPattern?: string;
  failurePattern?: string;
}

export interface PlannedWorker extends UnitWork {
  handle: string;
  cwd?: string;
}

/** A wave run as stored: waves in the order they run (dependencies first). */
export interface WavePlan {
  kind: 'waves';
  fleetName: string;
  pollMs: number;
  waves: { name: string; afterWaves: string[]; workers: PlannedWorker[] }[];
}

export interface PlannedRepo extends UnitWork {
  name: string;
  /** Absolute; a relative path was resolved against baseDir (and must stay inside it). */
  path: string;
  /** Set when the path was given relative to it: the repository must still be inside it once resolved. */
  baseDir?: string;
  defaultBranch?: string;
  /** The branch the fleet creates for the work, or null: a detached worktree at HEAD. */
  branch: string | null;
  /** The worker's handle in prompt mode (unique per run: `<repo>-<run suffix>`). */
  handle: string;
  commitMessage: string;
  prTitle: string;
  prBody: string;
}

export interface MultiRepoPlan {
  kind: 'multirepo';
  fleetName: string;
  task: string;
  pollMs: number;
  maxParallel: number;
  autoCommit: boolean;
  createPR: boolean;
  repos: PlannedRepo[];
}

const DEFAULT_TIMEOUT = 300_000;

/** A regex a lead gave, compiled now so a bad one is a 400 (the seed's was a 500). */
function checkPattern(field: string, pattern: string | undefined): void {
  if (pattern === undefined) return;
  try {
    new RegExp(pattern);
  } catch (error) {
    throw invalidInput(field, `is not a valid regular expression (${(error as Error).message})`);
  }
}

/** The seed's `command` strings ran in a shell: refused, saying what to give instead. */
export const COMMAND_REFUSED =
  'is not run as a shell string: give argv, a list of arguments (["npm", "test"]), or prompt for a Claude Code worker';

/** Exactly one of prompt and argv; the seed's `command` string is refused with what to give instead. */
function workOf(
  at: string,
  input: { prompt?: string; argv?: string[]; command?: unknown; successPattern?: string; failurePattern?: string },
  timeoutMs: number,
): UnitWork {
  if (input.command !== undefined) {
    throw invalidInput(`${at}command`, COMMAND_REFUSED);
  }
  if (input.prompt !== undefined && input.argv !== undefined)
    throw invalidInput(`${at}argv`, 'give prompt (a Claude Code worker) or argv (a command), not both');
  if (input.prompt === undefined && input.argv === undefined)
    throw invalidInput(`${at}prompt`, 'is required (or argv, a list of arguments for a command)');
  checkPattern(`${at}successPattern`, input.successPattern);
  checkPattern(`${at}failurePattern`, input.failurePattern);
  return {
    mode: input.prompt !== undefined ? 'prompt' : 'argv',
    ...(input.prompt !== undefined ? { prompt: input.prompt } : {}),
    ...(input.argv !== undefined ? { argv: input.argv } : {}),
    timeoutMs,
    ...(input.successPattern !== undefined ? { successPattern: input.successPattern } : {}),
    ...(input.failurePattern !== undefined ? { failurePattern: input.failurePattern } : {}),
  };
}

function checkDir(field: string, path: string): void {
  if (!isAbsolute(path)) throw invalidInput(field, 'must be an absolute path');
  if (!existsSync(path) || !statSync(path).isDirectory()) throw invalidInput(field, 'must be an existing directory');
}

/**
 * Validate a wave request and order its waves: duplicate names or handles, an unknown afterWaves
 * or a cycle are 400s naming the field (the seed ignored the first and overflowed its stack on the
 * second). The order is a topological one that keeps the given order where dependencies allow.
 */
export function planWaves(input: WavesInput): WavePlan {
  const index = new Map<string, number>();
  const handles = new Set<string>();
  input.waves.forEach((wave, i) => {
    if (index.has(wave.name)) throw invalidInput(`waves.${i}.name`, `names wave '${wave.name}' twice`);
    index.set(wave.name, i);
    wave.workers.forEach((worker, j) => {
      if (handles.has(worker.handle))
        throw invalidInput(`waves.${i}.workers.${j}.handle`, `'${worker.handle}' is used twice in this run`);
      handles.add(worker.handle);
    });
  });
  input.waves.forEach((wave, i) =>
    (wave.afterWaves ?? []).forEach((after, j) => {
      if (!index.has(after)) throw invalidInput(`waves.${i}.afterWaves.${j}`, `names no wave of this run ('${after}')`);
      if (after === wave.name) throw invalidInput(`waves.${i}.afterWaves.${j}`, 'names the wave itself');
    }),
  );
  const order: number[] = [];
  const placed = new Set<number>();
  while (order.length < input.waves.length) {
    const next = input.waves.findIndex(
      (wave, i) => !placed.has(i) && (wave.afterWaves ?? []).every((after) => placed.has(index.get(after)!)),
    );
    if (next === -1) {
      const stuck = input.waves.map((wave, i) => ({ wave, i })).filter(({ i }) => !placed.has(i));
      throw invalidInput(
        `waves.${stuck[0]!.i}.afterWaves`,
        `forms a cycle: ${stuck.map(({ wave }) => wave.name).join(', ')} wait for each other`,
      );
    }
    placed.add(next);
    order.push(next);
  }
  const defaultTimeout = input.defaultTimeout ?? DEFAULT_TIMEOUT;
  return {
    kind: 'waves',
    fleetName: input.fleetName ?? 'api-fleet',
    pollMs: input.pollInterval ?? 1000,
    waves: order.map((i) => {
      const wave = input.waves[i]!;
      return {
        name: wave.name,
        afterWaves: wave.afterWaves ?? [],
        workers: wave.workers.map((worker, j) => {
          const at = `waves.${i}.workers.${j}.`;
          if (worker.cwd !== undefined) checkDir(`${at}cwd`, worker.cwd);
          return {
            handle: worker.handle,
            ...(worker.cwd !== undefined ? { cwd: worker.cwd } : {}),
            ...workOf(at, worker, worker.timeout ?? defaultTimeout),
          };
        }),
      };
    }),
  };
}

/** `{{repo}}` and `{{task}}` filled in. */
export function fill(template: string, values: { repo: string; task: string }): string {
  return template.replaceAll('{{repo}}', values.repo).replaceAll('{{task}}', values.task);
}

const BRANCH = /^(?!-)(?!.*\.\.)(?!.*\/\/)(?!.*\.lock$)(?!.*\/$)[A-Za-z0-9._/-]{1,200}$/;

/** Which repositories a task targets: `repos` by name, else those carrying a tag of `repoTags`, else all. */
function targets(repositories: RepositoryInput[], task: { repos?: string[]; repoTags?: string[] }, at: string) {
  const byName = new Map(repositories.map((repo) => [repo.name, repo]));
  if (task.repos !== undefined && task.repos.length > 0) {
    return task.repos.map((name, i) => {
      const repo = byName.get(name);
      if (!repo) throw invalidInput(`${at}repos.${i}`, `names no repository of this request ('${name}')`);
      return repo;
    });
  }
  if (task.repoTags !== undefined && task.repoTags.length > 0) {
    const chosen = repositories.filter((repo) => (repo.tags ?? []).some((tag) => task.repoTags!.includes(tag)));
    if (chosen.length === 0) throw invalidInput(`${at}repoTags`, 'no repository carries any of these tags');
    return chosen;
  }
  return repositories;
}

export interface MultiRepoOptions {
  /** Default baseDir: the fleet's working directory for workers. */
  baseDir: string;
  /** The run's id: handles are `<repo>-<suffix>` so two runs over one repository never share a worker. */
  runId: string;
}

/**
 * Validate a multi-repo request. A relative `repositories[].path` resolves against baseDir and must
 * stay inside it (a 400 naming the path otherwise); an absolute path is taken as given. Whether a
 * path holds a git repository is checked when the run reaches it: a missing one is that repository's
 * failure, as in the seed. The branch is made by the fleet from branchPattern (never prompt text).
 */
export function planMultiRepo(input: MultiRepoInput, options: MultiRepoOptions): MultiRepoPlan {
  const baseDir = input.baseDir ?? options.baseDir;
  if (input.baseDir !== undefined) checkDir('baseDir', input.baseDir);
  const names = new Set<string>();
  input.repositories.forEach((repo, i) => {
    if (names.has(repo.name)) throw invalidInput(`repositories.${i}.name`, `names repository '${repo.name}' twice`);
    names.add(repo.name);
  });
  const task: TaskInput = input.task;
  const work = workOf('task.', task, task.timeout ?? DEFAULT_TIMEOUT);
  const autoCommit = task.autoCommit ?? false;
  const createPR = task.createPR ?? false;
  const branching = task.createBranch ?? (autoCommit || createPR);
  if (!branching && (autoCommit || createPR))
    throw invalidInput(task.createPR ? 'task.createPR' : 'task.autoCommit', 'needs a branch: leave createBranch on');
  const suffix = options.runId.slice(-6);
  const repos = targets(input.repositories, task, 'task.').map((repo) => {
    const i = input.repositories.indexOf(repo);
    let path = repo.path;
    let inside: string | undefined;
    if (!isAbsolute(path)) {
      path = resolve(baseDir, path);
      const rel = relative(baseDir, path);
      if (rel.startsWith('..') || isAbsolute(rel))
        throw invalidInput(`repositories.${i}.path`, 'must stay inside baseDir (or be an absolute path)');
      inside = baseDir;
    }
    const values = { repo: repo.name, task: task.name };
    const branch = branching ? fill(task.branchPattern ?? 'auto/{{task}}', values) : null;
    if (branch !== null && !BRANCH.test(branch))
      throw invalidInput('task.branchPattern', `gives '${branch}' for ${repo.name}, which is not a branch name`);
    return {
      name: repo.name,
      path,
      ...(inside !== undefined ? { baseDir: inside } : {}),
      ...(repo.defaultBranch !== undefined ? { defaultBranch: repo.defaultBranch } : {}),
      branch,
      handle: `${repo.name.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 40)}-${suffix}`,
      ...work,
      ...(work.prompt !== undefined ? { prompt: fill(work.prompt, values) } : {}),
      ...(work.argv !== undefined ? { argv: work.argv.map((arg) => fill(arg, values)) } : {}),
      commitMessage: fill(task.commitPattern ?? 'auto: {{task}}', values),
      prTitle: fill(task.prTitlePattern ?? '{{task}}', values),
      prBody: fill(task.prBodyPattern ?? 'Automated changes from {{task}}', values),
    };
  });
  return {
    kind: 'multirepo',
    fleetName: input.fleetName,
    task: task.name,
    pollMs: 1000,
    maxParallel: input.maxParallel ?? 4,
    autoCommit,
    createPR,
    repos,
  };
}

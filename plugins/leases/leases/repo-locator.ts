import { execFile } from 'node:child_process';
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';

/** A directory's repository: its main working tree (the repo leases name) and the worktree it is in. */
export interface RepoRoots {
  /** The main working tree: the parent of `git rev-parse --git-common-dir`, realpath'd. */
  repo: string;
  /** The working tree the directory is in (the main one, or a worker's worktree). */
  top: string;
}

const GIT_TIMEOUT_MS = 5000;

function git(cwd: string, args: string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(
      'git',
      args,
      {
        cwd,
        timeout: GIT_TIMEOUT_MS,
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0' },
        maxBuffer: 64 * 1024,
      },
      (error, stdout) => resolve(error ? undefined : stdout),
    );
  });
}

/**
 * Finds the repository of a path: the nearest existing directory, realpath'd, asked of git once and
 * then remembered (a bounded map, oldest out first; a miss is remembered briefly, so a `git init`
 * shows up). `locate` runs on every edit the policy gate judges, so it must not spawn git each time.
 */
export class RepoLocator {
  #hits = new Map<string, RepoRoots>();
  #misses = new Map<string, number>();

  constructor(
    private readonly maxEntries = 2000,
    private readonly missMs = 2000,
  ) {}

  /** The repository a directory is in (it or an ancestor must exist), or undefined. */
  async roots(dir: string): Promise<RepoRoots | undefined> {
    const real = await nearestRealDir(path.resolve(dir));
    if (!real) return undefined;
    const hit = this.#hits.get(real);
    if (hit) {
      this.#hits.delete(real);
      this.#hits.set(real, hit);
      return hit;
    }
    const missed = this.#misses.get(real);
    if (missed !== undefined && Date.now() - missed < this.missMs) return undefined;
    const out = await git(real, ['rev-parse', '--show-toplevel', '--git-common-dir']);
    const [top, common] = out?.split('\n') ?? [];
    if (!top || !common) {
      this.#remember(this.#misses, real, Date.now());
      return undefined;
    }
    const commonDir = await realpath(path.resolve(real, common)).catch(() => undefined);
    const topDir = await realpath(top).catch(() => undefined);
    if (!commonDir || !topDir) return undefined;
    // A normal repository keeps its common dir at <main tree>/.git; a bare or separated one names itself.
    const repo = path.basename(commonDir) === '.git' ? path.dirname(commonDir) : commonDir;
    const roots = { repo, top: topDir };
    this.#misses.delete(real);
    this.#remember(this.#hits, real, roots);
    return roots;
  }

  /** An absolute path's repository and its path relative to its working tree ('' for the tree itself). */
  async locate(absPath: string): Promise<{ repo: string; relPath: string } | undefined> {
    const resolved = path.resolve(absPath);
    const roots = await this.roots(resolved);
    if (!roots) return undefined;
    const real = await realpathLoose(resolved);
    const relPath = path.relative(roots.top, real).split(path.sep).join('/');
    if (relPath.startsWith('../') || relPath === '..' || path.isAbsolute(relPath)) return undefined;
    return { repo: roots.repo, relPath };
  }

  #remember<V>(map: Map<string, V>, key: string, value: V): void {
    if (map.size >= this.maxEntries) map.delete(map.keys().next().value!);
    map.set(key, value);
  }
}

/** The path realpath'd, or (when it does not exist yet: a new file) its nearest existing ancestor's + the rest. */
async function realpathLoose(p: string): Promise<string> {
  const rest: string[] = [];
  let at = p;
  for (;;) {
    const real = await realpath(at).catch(() => undefined);
    if (real) return path.join(real, ...rest.reverse());
    const parent = path.dirname(at);
    if (parent === at) return p;
    rest.push(path.basename(at));
    at = parent;
  }
}

/** The nearest existing directory at or above `p`, realpath'd. */
async function nearestRealDir(p: string): Promise<string | undefined> {
  let at = p;
  for (;;) {
    const info = await stat(at).catch(() => undefined);
    if (info?.isDirectory()) return realpath(at).catch(() => undefined);
    const parent = path.dirname(at);
    if (parent === at) return undefined;
    at = parent;
  }
}

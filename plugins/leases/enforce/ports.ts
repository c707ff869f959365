/**
 * What enforcement needs of the leases plugin's api (LeasesApi has it) and of the plugins it talks
 * to, as structural types: this part compiles and is tested on its own, whatever else changes.
 */
import type { Identity } from '../../../core/index.js';

export interface LeaseLike {
  id: string;
  teamName: string;
  repo: string;
  paths: string[];
  mode: 'exclusive' | 'shared';
  holder: string | null;
  expiresAt: string | null;
}

export interface LeaseBlockerLike {
  leaseId: string;
  /** null: a lease of another team (nothing else about it is told). */
  holder: string | null;
  teamName: string;
  path: string;
  pattern: string;
  mode: 'exclusive' | 'shared';
  expiresAt: string | null;
}

export interface LeaseServiceLike {
  locate(absPath: string): Promise<{ repo: string; relPath: string } | undefined>;
  blockers(teamName: string, handle: string, repo: string, relPaths: string[]): Promise<LeaseBlockerLike[]>;
  heldBy(teamName: string, handle: string, repo: string): Promise<LeaseLike[]>;
  covers(lease: LeaseLike, relPath: string): boolean;
}

export interface PolicyGateLike {
  name: string;
  check(
    caller: Identity,
    request: { tool: string; input: Record<string, unknown>; cwd?: string },
  ): Promise<{ reason: string } | undefined>;
}

export interface WriteTargetsLike {
  paths: string[];
  patches?: string[];
  unknown: boolean;
  reasons?: string[];
}

export interface PolicyLike {
  addGate(gate: PolicyGateLike): () => void;
  writeTargets?(call: { tool: string; input: Record<string, unknown>; cwd?: string }): WriteTargetsLike;
}

export interface WorkerRowLike {
  handle: string;
  team_name: string;
  cwd: string;
  worktree_path: string | null;
  worktree_branch?: string | null;
  spawned_by?: string;
}

export interface WorktreeSetupLike {
  teamName: string;
  handle: string;
  path: string;
  branch: string;
  workerDir: string;
  token: string;
  url: string;
}

export interface WorkersLike {
  manager: { store: { get(teamName: string, handle: string): Promise<WorkerRowLike | undefined> } };
  addWorktreeSetup?(setup: (wt: WorktreeSetupLike) => Promise<void>): () => void;
}

export interface MailLike {
  mail: { send(teamName: string, from: string, to: string, body: string, subject?: string): Promise<unknown> };
}

/** The part of LeasesApi enforcement uses. */
export interface EnforceApi {
  leases: LeaseServiceLike;
  workers(): WorkersLike | undefined;
  policy(): PolicyLike | undefined;
}

/**
 * What this plugin uses of other plugins, as structural types: it builds and runs without them and reads
 * them at call time (each may be turned on or off).
 */
export interface WorkerRowLike {
  handle: string;
  team_name: string;
  worktree_path: string | null;
  worktree_branch: string | null;
  spawned_by: string;
}

export interface WorkersPort {
  manager: { store: { get(teamName: string, handle: string): Promise<WorkerRowLike | undefined> } };
}

export interface MailPort {
  mail: { send(teamName: string, from: string, to: string, body: string, subject?: string): Promise<unknown> };
}

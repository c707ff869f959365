import type { Identity } from '../../../core/index.js';
import { type PheromoneService, TEAM_TRAILS } from './pheromone-service.js';
import { repositoryPath, repositoryRoot } from './repo-paths.js';
import { MODIFY_TOOLS } from './tool-trails.js';

/**
 * "Recently": a `modify` trail still at this intensity. An automatic one (intensity 1) stays above it
 * about 10 minutes at the default decay.
 */
export const WARN_MIN_INTENSITY = 0.35;

export interface HotEditDeps {
  service: PheromoneService;
  swarmOf(teamName: string, handle: string): Promise<string | undefined>;
  placeOf(teamName: string, handle: string): Promise<{ cwd: string; worktree?: string | null } | undefined>;
  isLive(teamName: string, handle: string): Promise<boolean>;
  now(): number;
}

const ago = (ms: number) => {
  const minutes = Math.round(ms / 60_000);
  return minutes < 1 ? 'just now' : `${minutes} min ago`;
};

/** The file an edit tool is about to change, as the caller's repository names it. */
async function editedFile(
  deps: HotEditDeps,
  caller: Identity,
  request: { tool: string; input: Record<string, unknown>; cwd?: string },
): Promise<string | undefined> {
  if (!MODIFY_TOOLS.has(request.tool)) return undefined;
  const named = request.input.file_path ?? request.input.notebook_path;
  if (typeof named !== 'string') return undefined;
  const place = await deps.placeOf(caller.teamName, caller.handle);
  const cwd = request.cwd ?? place?.cwd;
  if (!cwd) return undefined;
  const root = repositoryRoot({ cwd: place?.cwd ?? cwd, worktree: place?.worktree });
  return repositoryPath(root, cwd, named);
}

/**
 * The warning for an edit of a file other live workers modified recently (a hot `modify` trail in
 * the caller's trail space), or undefined. The policy plugin's context source: the hook gives it to
 * the agent as additionalContext before the edit runs.
 */
export async function hotEditWarning(
  deps: HotEditDeps,
  caller: Identity,
  request: { tool: string; input: Record<string, unknown>; cwd?: string },
): Promise<string | undefined> {
  const file = await editedFile(deps, caller, request);
  if (!file) return undefined;
  const space = (await deps.swarmOf(caller.teamName, caller.handle)) ?? TEAM_TRAILS;
  const modifiers = await deps.service.modifiers(caller.teamName, space, file, {
    exclude: caller.handle,
    minIntensity: WARN_MIN_INTENSITY,
  });
  const live = [];
  for (const m of modifiers) if (await deps.isLive(caller.teamName, m.handle)) live.push(m);
  if (live.length === 0) return undefined;
  const now = deps.now();
  const who = live.map((m) => `${m.handle} (${ago(now - m.at)})`).join(', ');
  return (
    `Fleet heads-up: ${file} was modified recently by ${who}, ` +
    `${live.length === 1 ? 'another worker that is still running' : 'other workers that are still running'}. ` +
    'Check with them (mail_send, or your swarm’s blackboard) before you edit it, so your changes do not collide.'
  );
}

/**
 * Without the policy plugin there is no hook: a worker's first prompt lists the files other live
 * workers of its trail space modified recently (the briefing source).
 */
export async function hotFilesBriefing(deps: HotEditDeps, teamName: string, handle: string) {
  const space = (await deps.swarmOf(teamName, handle)) ?? TEAM_TRAILS;
  const hot = await deps.service.hot(teamName, space, { resourceType: 'file', trailType: 'modify', limit: 20 });
  const lines: string[] = [];
  for (const resource of hot.resources) {
    const modifiers = await deps.service.modifiers(teamName, space, resource.resourceId, {
      exclude: handle,
      minIntensity: WARN_MIN_INTENSITY,
    });
    const live = [];
    for (const m of modifiers) if (await deps.isLive(teamName, m.handle)) live.push(m.handle);
    if (live.length > 0) lines.push(`- ${resource.resourceId} (${live.join(', ')})`);
  }
  if (lines.length === 0) return undefined;
  return (
    'Files other running workers modified in the last minutes (check with them before editing these):\n' +
    lines.join('\n')
  );
}

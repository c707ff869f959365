import { existsSync, statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import * as v from 'valibot';
import { f, type Identity, sameTeam } from '../../core/index.js';
import { workersErrors } from './errors.js';
import type { WorkersOptions } from './options.js';
import type { SpawnRequest } from './worker-store.js';

/** What a spawn takes, over HTTP and as the team_spawn / spawn_request tools alike. */
export const spawnInput = v.object({
  handle: f.handle,
  teamName: v.optional(f.handle),
  workingDir: v.optional(f.text({ max: 500 })),
  initialPrompt: v.optional(f.text({ max: 50_000 })),
  adapter: v.optional(
    v.pipe(
      v.string('must be a string'),
      v.regex(/^[a-z][a-z0-9-]{0,49}$/, 'must be claude or a configured command name'),
    ),
  ),
  model: v.optional(f.text({ min: 1, max: 100 })),
  worktree: v.optional(f.flag),
  /**
   * Trim and continue this worker by itself once its context reaches this many tokens (0: never),
   * over the sessions plugin's default; read by the sessions plugin, ignored without it.
   */
  /** The swarm (swarm plugin) the worker joins: a spawn into a full swarm is refused by that plugin. */
  swarmId: v.optional(
    v.pipe(
      v.string('must be a string'),
      v.regex(/^[A-Za-z0-9_-]{1,100}$/, 'must be a swarm id: 1–100 of letters, digits, _ and -'),
    ),
  ),
  autoTrim: v.optional(
    v.pipe(
      f.int(0, 100_000_000),
      v.check((tokens) => tokens === 0 || tokens >= 1000, 'must be 0 (never) or at least 1000 tokens'),
    ),
  ),
});

/** Turn a spawn input into a request the manager can run, or a 400 naming the field. */
export function spawnRequest(
  caller: Identity,
  input: v.InferOutput<typeof spawnInput>,
  options: WorkersOptions,
): SpawnRequest {
  const teamName = sameTeam(caller, input.teamName, { deny: 403 });
  const adapter = input.adapter ?? options.defaultAdapter;
  // An own key only: `constructor` or `toString` must not pass as a configured command.
  if (adapter !== 'claude' && !Object.hasOwn(options.commands, adapter)) {
    throw workersErrors.WORKERS_UNKNOWN_ADAPTER(
      { adapter, available: ['claude', ...Object.keys(options.commands)].join(', ') },
      { field: 'adapter' },
    );
  }
  const cwd = input.workingDir ?? options.workingDir ?? process.cwd();
  if (!isAbsolute(cwd)) throw workersErrors.WORKERS_RELATIVE_DIR({}, { field: 'workingDir' });
  if (!existsSync(cwd) || !statSync(cwd).isDirectory())
    throw workersErrors.WORKERS_NOT_A_DIR({ path: cwd }, { field: 'workingDir' });
  return {
    handle: input.handle,
    teamName,
    adapter,
    prompt: input.initialPrompt,
    cwd,
    model: input.model,
    worktree: input.worktree,
    ...(input.autoTrim !== undefined ? { autoTrim: input.autoTrim } : {}),
    ...(input.swarmId !== undefined ? { swarmId: input.swarmId } : {}),
  };
}

import * as v from 'valibot';
import { f } from '../../../core/index.js';

/** A gate's, a template's or a step's name: 1–50 of [A-Za-z0-9_.-]. */
export const gateName = v.pipe(
  v.string('must be a string'),
  v.regex(/^[A-Za-z0-9_.-]{1,50}$/, 'must be 1–50 of letters, digits, _, . and -'),
);

/** An absolute path (where a gate or a worker runs). */
export const absolutePath = v.pipe(
  f.text({ min: 1, max: 1000 }),
  v.check((path) => path.startsWith('/'), 'must be an absolute path'),
);

/** A program and its arguments: never a shell string. */
export const argv = v.pipe(
  v.array(f.text({ min: 1, max: 4000 }), 'must be an argument array (["npm", "test"]), never a shell string'),
  v.minLength(1, 'must name a program: an argument array (["npm", "test"])'),
  v.maxLength(200, 'must list at most 200 arguments'),
);

/** The seed's `command` string is refused with the way to say it (argv). */
const noCommand = v.optional(
  v.custom<never>(
    () => false,
    'is not taken: give argv, an argument array (["npm", "test"]); commands never run through a shell',
  ),
);

export const gateInput = v.object({
  name: gateName,
  argv,
  command: noCommand,
  cwd: v.optional(absolutePath),
  timeoutSeconds: v.optional(f.int(1, 86_400)),
});

export type MissionGate = { name: string; argv: string[]; cwd?: string; timeoutSeconds?: number };

export const budgetInput = v.object({
  maxCostUsd: v.optional(
    v.pipe(v.number('must be a number'), v.minValue(0, 'must be at least 0'), v.maxValue(1_000_000, 'too large')),
  ),
  maxMinutes: v.optional(f.int(1, 525_600)),
});

export type MissionBudget = v.InferOutput<typeof budgetInput>;

/** The worker a mission spawns (the workers plugin's spawn, with the mission's goal as its first prompt). */
export const spawnInput = v.object({
  handle: v.optional(f.handle),
  prompt: v.optional(f.text({ max: 50_000 })),
  workingDir: v.optional(absolutePath),
  worktree: v.optional(f.flag),
  adapter: v.optional(
    v.pipe(
      v.string('must be a string'),
      v.regex(/^[a-z][a-z0-9-]{0,49}$/, 'must be claude or a configured command name'),
    ),
  ),
  model: v.optional(f.text({ min: 1, max: 100 })),
});

export type MissionSpawn = v.InferOutput<typeof spawnInput>;

export const missionId = v.pipe(
  v.string('must be a string'),
  v.regex(/^mission-[a-f0-9]{12}$/, 'must be a mission id (mission-<12 hex digits>)'),
);

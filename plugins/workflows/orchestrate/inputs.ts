import * as v from 'valibot';
import { f } from '../../../core/index.js';

/**
 * Request bodies of the seed (§7), checked at the boundary. Nested objects are strict: an unknown
 * key is a 400 naming it. `command` is kept in the schema only to refuse it with a hint (plan.ts):
 * the seed ran it as a shell string; here a command is `argv`, a list of arguments.
 */
const argv = v.pipe(
  v.array(
    v.pipe(v.string('must be a string'), v.minLength(1, 'must not be empty'), v.maxLength(10_000, 'is too long')),
    'must be a list of arguments (["npm", "test"])',
  ),
  v.minLength(1, 'must name a program'),
  v.maxLength(200, 'must list at most 200 arguments'),
);
const pattern = f.text({ min: 1, max: 500 });
const timeout = f.int(1000, 86_400_000);
const name = v.pipe(
  v.string('must be a string'),
  v.regex(/^[A-Za-z0-9._-]{1,100}$/, 'must be 1–100 of letters, digits, ., _ and -'),
);

export const waveWorkerInput = v.strictObject({
  handle: f.handle,
  prompt: v.optional(f.text({ min: 1, max: 50_000 })),
  argv: v.optional(argv),
  command: v.optional(v.unknown()),
  cwd: v.optional(f.text({ min: 1, max: 1000 })),
  timeout: v.optional(timeout),
  successPattern: v.optional(pattern),
  failurePattern: v.optional(pattern),
});

export const waveInput = v.strictObject({
  name: f.text({ min: 1, max: 100 }),
  afterWaves: v.optional(f.list(f.text({ min: 1, max: 100 }), { max: 50, of: 'wave names' })),
  workers: v.pipe(
    f.list(waveWorkerInput, { max: 50, of: 'workers', unit: 'workers' }),
    v.minLength(1, 'must list at least one worker'),
  ),
});

export const wavesBody = {
  fleetName: v.optional(f.text({ min: 1, max: 100 })),
  remote: v.optional(f.flag),
  defaultTimeout: v.optional(timeout),
  pollInterval: v.optional(f.int(100, 60_000)),
  waves: v.pipe(
    f.list(waveInput, { max: 50, of: 'waves', unit: 'waves' }),
    v.minLength(1, 'must list at least one wave'),
  ),
};

export const repositoryInput = v.strictObject({
  name,
  path: f.text({ min: 1, max: 1000 }),
  remoteUrl: v.optional(f.text({ max: 1000 })),
  defaultBranch: v.optional(
    v.pipe(v.string('must be a string'), v.regex(/^[A-Za-z0-9._/-]{1,100}$/, 'must be a branch name')),
  ),
  tags: v.optional(f.list(f.text({ min: 1, max: 100 }), { max: 50, of: 'tags' })),
});

const repositories = v.pipe(
  f.list(repositoryInput, { max: 200, of: 'repositories', unit: 'repositories' }),
  v.minLength(1, 'must list at least one repository'),
);
const repoNames = f.list(f.text({ min: 1, max: 100 }), { max: 200, of: 'repository names' });
const tags = f.list(f.text({ min: 1, max: 100 }), { max: 50, of: 'tags' });

export const taskInput = v.strictObject({
  name,
  prompt: v.optional(f.text({ min: 1, max: 50_000 })),
  argv: v.optional(argv),
  command: v.optional(v.unknown()),
  repos: v.optional(repoNames),
  repoTags: v.optional(tags),
  createBranch: v.optional(f.flag),
  branchPattern: v.optional(f.text({ min: 1, max: 200 })),
  autoCommit: v.optional(f.flag),
  commitPattern: v.optional(f.text({ min: 1, max: 1000 })),
  createPR: v.optional(f.flag),
  prTitlePattern: v.optional(f.text({ min: 1, max: 200 })),
  prBodyPattern: v.optional(f.text({ min: 1, max: 10_000 })),
  timeout: v.optional(timeout),
  successPattern: v.optional(pattern),
  failurePattern: v.optional(pattern),
});

export const multiRepoBody = {
  fleetName: f.text({ min: 1, max: 100 }),
  baseDir: v.optional(f.text({ min: 1, max: 1000 })),
  maxParallel: v.optional(f.int(1, 32)),
  remote: v.optional(f.flag),
  repositories,
  task: taskInput,
};

/** The four shortcuts' common body (the seed's), plus baseDir and argv (a command instead of Claude). */
export const shortcutBody = {
  fleetName: f.text({ min: 1, max: 100 }),
  baseDir: v.optional(f.text({ min: 1, max: 1000 })),
  repositories,
  repos: v.optional(repoNames),
  repoTags: v.optional(tags),
  createPR: v.optional(f.flag),
  argv: v.optional(argv),
  command: v.optional(v.unknown()),
};

export type WavesInput = v.InferOutput<v.ObjectSchema<typeof wavesBody, undefined>>;
export type MultiRepoInput = v.InferOutput<v.ObjectSchema<typeof multiRepoBody, undefined>>;
export type TaskInput = v.InferOutput<typeof taskInput>;
export type RepositoryInput = v.InferOutput<typeof repositoryInput>;

import * as v from 'valibot';

/** A branch name as the queue accepts it: git's rules, kept simple (no `..`, no leading `-`, no `@{`). */
export const branchName = v.pipe(
  v.string('must be a string'),
  v.minLength(1, 'is required'),
  v.maxLength(200, 'must be at most 200 characters'),
  v.regex(/^[A-Za-z0-9._/-]+$/, 'may contain only letters, digits, ., _, / and -'),
  v.check(
    (name) =>
      !name.startsWith('-') &&
      !name.startsWith('/') &&
      !name.endsWith('/') &&
      !name.endsWith('.lock') &&
      !name.endsWith('.') &&
      !name.includes('..') &&
      !name.includes('//'),
    'is not a valid branch name',
  ),
);

/** A test command: a program and its arguments (never a shell string). */
export const testArgv = v.pipe(
  v.array(
    v.pipe(
      v.string('must be a list of strings'),
      v.maxLength(2000, 'must hold arguments of at most 2000 characters'),
      v.check((arg) => !arg.includes('\0'), 'must not contain NUL'),
    ),
    'must be a list of strings (a program and its arguments)',
  ),
  v.minLength(1, 'must name a program'),
  v.maxLength(100, 'must list at most 100 arguments'),
  v.check((argv) => (argv[0] ?? '').length > 0, 'must name a program'),
);

/** plugins.merges in fleet.config.ts. */
export const mergesOptionsSchema = v.object({
  /** The command each entry is tested with (run in the throwaway worktree); null: no test. */
  test: v.optional(v.nullable(testArgv), null),
  /** How many times a failed test is run again before the entry fails (a flaky test passes on retry). */
  testRetries: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(10)), 1),
  /** A test run longer than this is stopped (its whole process group) and counts as failed. */
  testTimeoutSeconds: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(86_400)), 600),
  /** The branch entries merge into when they name none. */
  target: v.optional(branchName, 'main'),
  /** `local`: move the target branch; `pr`: push the rebased branch and open or update a pull request. */
  mode: v.optional(v.picklist(['local', 'pr']), 'local'),
  /** Where throwaway worktrees go (absolute); default `<dataDir>/merges`. */
  workdir: v.optional(
    v.pipe(
      v.string(),
      v.check((path) => path.startsWith('/'), 'must be an absolute path'),
    ),
  ),
  /** Fairness: an entry gains one priority point for every `agingMinutes` it has waited. */
  agingMinutes: v.optional(v.pipe(v.number(), v.minValue(0.001), v.maxValue(10_080)), 10),
  /** How often the runner looks for work queued by another node (it is woken at once by this node's). */
  pollSeconds: v.optional(v.pipe(v.number(), v.minValue(0.05), v.maxValue(3600)), 5),
  /** How many times an entry is rebased again because the target moved under it, before it fails. */
  maxRebases: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(50)), 5),
  /** PR mode: the remote branches are pushed to. */
  remote: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z0-9._-]+$/, 'is not a remote name')), 'origin'),
  /** Timeout of each git and gh command, in seconds. */
  gitTimeoutSeconds: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(3600)), 120),
});

export type MergesOptions = v.InferOutput<typeof mergesOptionsSchema>;

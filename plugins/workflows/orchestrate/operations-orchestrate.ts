import * as v from 'valibot';
import { f, type Identity, invalidInput, operationsFor } from '../../../core/index.js';
import { COMMAND_REFUSED } from './plan.js';
import { multiRepoBody, shortcutBody, wavesBody } from './inputs.js';
import type { OrchestrateService } from './service.js';

/** What these operations need of the workflows plugin's api (WorkflowsApi has it). */
export interface OrchestrateApiPart {
  orchestrate: OrchestrateService;
}

const op = operationsFor<OrchestrateApiPart>();
const id = f.text({ min: 1, max: 100 });

export const startWaves = op({
  name: 'startWaves',
  summary:
    'Run workers wave by wave (afterWaves order): each wave after the previous one succeeded; a failed wave ' +
    'fails the run and stops the rest. Workers: prompt (a Claude Code worker) or argv (a command)',
  access: 'lead',
  input: v.object(wavesBody),
  http: { method: 'POST', path: '/orchestrate/waves' },
  run: ({ input, caller, api }) => api.orchestrate.submitWaves(caller, input),
});

export const listWaves = op({
  name: 'listWaves',
  summary: 'The team’s wave runs, newest first',
  access: 'agent',
  input: v.object({}),
  http: { method: 'GET', path: '/orchestrate/waves' },
  run: ({ caller, api }) => api.orchestrate.list(caller, 'waves'),
});

export const getWaves = op({
  name: 'getWaves',
  summary: 'A wave run: status, each wave’s progress, results per worker with the evidence, why it failed',
  access: 'agent',
  input: v.object({ id }),
  http: { method: 'GET', path: '/orchestrate/waves/:id' },
  run: ({ input, caller, api }) => api.orchestrate.get(caller, 'waves', input.id),
});

export const cancelWaves = op({
  name: 'cancelWaves',
  summary: 'Cancel a running wave run: its workers are stopped, later waves never start',
  access: 'lead',
  input: v.object({ id }),
  http: { method: 'POST', path: '/orchestrate/waves/:id/cancel' },
  run: ({ input, caller, api }) => api.orchestrate.cancel(caller, 'waves', input.id),
});

export const startMultiRepo = op({
  name: 'startMultiRepo',
  summary:
    'Run one task ({{repo}} in its prompt or argv) across repositories, each in its own worktree on a branch ' +
    'the fleet makes; commit, push and open a PR per repository when asked',
  access: 'lead',
  input: v.object(multiRepoBody),
  http: { method: 'POST', path: '/orchestrate/multi-repo' },
  run: ({ input, caller, api }) => api.orchestrate.submitMultiRepo(caller, input),
});

export const listMultiRepo = op({
  name: 'listMultiRepo',
  summary: 'The team’s multi-repo runs, newest first',
  access: 'agent',
  input: v.object({}),
  http: { method: 'GET', path: '/orchestrate/multi-repo' },
  run: ({ caller, api }) => api.orchestrate.list(caller, 'multirepo'),
});

export const getMultiRepo = op({
  name: 'getMultiRepo',
  summary: 'A multi-repo run: results per repository {repo, task, success, error?, commitSha?, prUrl?, branch}',
  access: 'agent',
  input: v.object({ id }),
  http: { method: 'GET', path: '/orchestrate/multi-repo/:id' },
  run: ({ input, caller, api }) => api.orchestrate.get(caller, 'multirepo', input.id),
});

type ShortcutInput = v.InferOutput<v.ObjectSchema<typeof shortcutBody, undefined>>;

interface Shortcut {
  task: string;
  prefix: string;
  prompt: string;
  branch?: string;
  commit?: string;
  prTitle?: string;
}

/** A shortcut as a multi-repo run of its own task (the seed's prompts, branches and commit messages). */
function runShortcut(api: OrchestrateApiPart, caller: Identity, input: ShortcutInput, shortcut: Shortcut) {
  const { fleetName, baseDir, repositories, repos, repoTags, createPR, argv, command } = input;
  if (command !== undefined) throw invalidInput('command', COMMAND_REFUSED);
  const branching = shortcut.branch !== undefined;
  return api.orchestrate.submitMultiRepo(
    caller,
    {
      fleetName,
      ...(baseDir !== undefined ? { baseDir } : {}),
      repositories,
      task: {
        name: shortcut.task,
        ...(argv !== undefined ? { argv } : { prompt: shortcut.prompt }),
        ...(repos !== undefined ? { repos } : {}),
        ...(repoTags !== undefined ? { repoTags } : {}),
        createBranch: branching,
        ...(branching ? { branchPattern: shortcut.branch, autoCommit: true, commitPattern: shortcut.commit } : {}),
        createPR: branching && (createPR ?? false),
        ...(shortcut.prTitle !== undefined ? { prTitlePattern: shortcut.prTitle } : {}),
      },
    },
    shortcut.prefix,
  );
}

const SECURITY =
  'Run a security audit on this repository. ' +
  'Check for vulnerable dependencies, exposed secrets, and security misconfigurations.';

export const updateDeps = op({
  name: 'multiRepoUpdateDeps',
  summary: 'Update dependencies in each repository (npm, yarn or pnpm), on a branch, committed; a PR if asked',
  access: 'lead',
  input: v.object({ ...shortcutBody, packageManager: v.optional(f.oneOf(['npm', 'yarn', 'pnpm'] as const)) }),
  http: { method: 'POST', path: '/orchestrate/multi-repo/update-deps' },
  run: ({ input, caller, api }) => {
    const command = { npm: 'npm update', yarn: 'yarn upgrade', pnpm: 'pnpm update' }[input.packageManager ?? 'npm'];
    const { packageManager: _, ...rest } = input;
    return runShortcut(api, caller, rest, {
      task: 'update-deps',
      prefix: 'updatedeps',
      prompt: `Run "${command}" to update all dependencies. Check if tests still pass after the update.`,
      branch: 'auto/update-deps-{{repo}}',
      commit: 'chore: update dependencies',
      prTitle: 'chore: Update dependencies',
    });
  },
});

const FIX = 'Fix any security vulnerabilities you find.';
const REPORT = 'Report any security vulnerabilities.';

export const securityAudit = op({
  name: 'multiRepoSecurityAudit',
  summary: 'A security audit of each repository; with fix, fixes on a branch, committed, a PR if asked',
  access: 'lead',
  input: v.object({ ...shortcutBody, fix: v.optional(f.flag) }),
  http: { method: 'POST', path: '/orchestrate/multi-repo/security-audit' },
  run: ({ input, caller, api }) => {
    const { fix, ...rest } = input;
    return runShortcut(api, caller, rest, {
      task: 'security-audit',
      prefix: 'security',
      prompt: `${SECURITY} ${fix ? FIX : REPORT}`,
      ...(fix ? { branch: 'auto/security-fix-{{repo}}', commit: 'security: fix vulnerabilities' } : {}),
    });
  },
});

export const formatCode = op({
  name: 'multiRepoFormatCode',
  summary: 'Format the code of each repository, on a branch, committed; a PR if asked',
  access: 'lead',
  input: v.object(shortcutBody),
  http: { method: 'POST', path: '/orchestrate/multi-repo/format-code' },
  run: ({ input, caller, api }) =>
    runShortcut(api, caller, input, {
      task: 'format-code',
      prefix: 'format',
      prompt:
        'Run the code formatter (prettier, eslint --fix, etc.) on all source files. ' +
        "Ensure all files follow the project's code style.",
      branch: 'auto/format-{{repo}}',
      commit: 'style: format code',
    }),
});

export const runTests = op({
  name: 'multiRepoRunTests',
  summary: 'Run each repository’s tests (argv: the command, e.g. ["npm", "test"]); no branch, no commit',
  access: 'lead',
  input: v.object(shortcutBody),
  http: { method: 'POST', path: '/orchestrate/multi-repo/run-tests' },
  run: ({ input, caller, api }) =>
    runShortcut(api, caller, input, {
      task: 'run-tests',
      prefix: 'tests',
      prompt: 'Run the test suite for this repository. Report any failing tests.',
    }),
});

export const orchestrateOperations = [
  startWaves,
  listWaves,
  getWaves,
  cancelWaves,
  startMultiRepo,
  listMultiRepo,
  getMultiRepo,
  updateDeps,
  securityAudit,
  formatCode,
  runTests,
];

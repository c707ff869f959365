import { defineEvents } from '../../../core/index.js';

/** One finished worker of a wave, as results list it (the seed's tmux shape, with the evidence). */
export interface WaveWorkerResult {
  wave: string;
  worker: string;
  success: boolean;
  output?: string;
  error?: string;
  evidence?: string;
  duration: number;
}

/** One repository of a multi-repo run, as results list it. */
export interface RepoResult {
  repo: string;
  task: string;
  success: boolean;
  error?: string;
  commitSha?: string;
  prUrl?: string;
  branch: string | null;
  duration: number;
}

declare module '../../../core/index.js' {
  interface FleetEventMap {
    'wave:start': { executionId: string; wave: string; workers: string[] };
    'wave:worker:spawned': { executionId: string; wave: string; worker: string; paneId: string | null };
    'wave:worker:success': { executionId: string; wave: string; worker: string; output: string; evidence: string };
    'wave:worker:failed': { executionId: string; wave: string; worker: string; error: string };
    'wave:complete': { executionId: string; wave: string; results: WaveWorkerResult[] };
    'wave:execution:complete': { executionId: string; results: WaveWorkerResult[] };
    'wave:execution:failed': { executionId: string; error: string };
    'wave:execution:cancelled': { executionId: string; by: string };
    'multirepo:task:start': { executionId: string; task: string };
    'multirepo:repo:start': { executionId: string; repo: string; task: string };
    'multirepo:repo:success': { executionId: string; repo: string; task: string };
    'multirepo:repo:failed': { executionId: string; repo: string; task: string; error: string };
    'multirepo:repo:committed': { executionId: string; repo: string; sha: string };
    'multirepo:repo:pr-created': { executionId: string; repo: string; prUrl: string };
    'multirepo:task:complete': { executionId: string; task: string; results: RepoResult[] };
    'multirepo:execution:complete': { executionId: string; results: RepoResult[] };
    'multirepo:execution:failed': { executionId: string; error: string };
  }
}

/** The seed's names (wave:*, multirepo:*, 9 kinds), on the team's `orchestrate` topic; cancelled is ours. */
export const orchestrateEvents = defineEvents({
  'wave:start': { topic: 'orchestrate', summary: 'A wave began: its workers are being spawned' },
  'wave:worker:spawned': { topic: 'orchestrate', summary: 'A wave’s worker started (paneId: its tmux pane)' },
  'wave:worker:success': { topic: 'orchestrate', summary: 'A wave’s worker succeeded, with the evidence' },
  'wave:worker:failed': { topic: 'orchestrate', summary: 'A wave’s worker failed, timed out or was stopped' },
  'wave:complete': { topic: 'orchestrate', summary: 'Every worker of a wave succeeded' },
  'wave:execution:complete': { topic: 'orchestrate', summary: 'Every wave succeeded' },
  'wave:execution:failed': { topic: 'orchestrate', summary: 'A wave failed (later waves never started), or a restart' },
  'wave:execution:cancelled': { topic: 'orchestrate', summary: 'A lead cancelled the run: workers and waves stopped' },
  'multirepo:task:start': { topic: 'orchestrate', summary: 'A multi-repo run began' },
  'multirepo:repo:start': { topic: 'orchestrate', summary: 'A repository’s worktree and worker are starting' },
  'multirepo:repo:success': {
    topic: 'orchestrate',
    summary: 'A repository’s work succeeded (and was committed if asked)',
  },
  'multirepo:repo:failed': { topic: 'orchestrate', summary: 'A repository failed: missing, worker failed, push or PR' },
  'multirepo:repo:committed': { topic: 'orchestrate', summary: 'The fleet committed a repository’s changes' },
  'multirepo:repo:pr-created': { topic: 'orchestrate', summary: 'A pull request was opened for a repository' },
  'multirepo:task:complete': { topic: 'orchestrate', summary: 'Every repository finished: the results' },
  'multirepo:execution:complete': { topic: 'orchestrate', summary: 'Every repository succeeded' },
  'multirepo:execution:failed': { topic: 'orchestrate', summary: 'A repository failed, or a restart' },
});

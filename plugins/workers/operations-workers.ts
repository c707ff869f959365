import * as v from 'valibot';
import { actAs, dataFence, f, isApiError, isLead, operationsFor, reply, sameTeam } from '../../core/index.js';
import { workersErrors } from './errors.js';
import type { WorkersApi } from './index.js';
import { spawnInput, spawnRequest } from './spawn-input.js';

const op = operationsFor<WorkersApi>();

export const spawnWorker = op({
  name: 'spawnWorker',
  summary:
    'Spawn a worker (Claude Code by default) in its own tmux pane with an initial prompt; ' +
    'queued (202, with its position) when the fleet is full',
  access: 'lead',
  input: spawnInput,
  http: { method: 'POST', path: '/orchestrate/spawn', status: 201 },
  tools: [{ name: 'team_spawn', rename: { prompt: 'initialPrompt', swarm_id: 'swarmId' }, omit: ['teamName'] }],
  async run({ input, caller, api }) {
    const result = await api.manager.spawn(spawnRequest(caller, input, api.options), caller, api.options.max);
    if (result.queued)
      return reply.status(202, { queued: true, id: result.id, position: result.position, handle: input.handle });
    return result.worker;
  },
});

export const listWorkers = op({
  name: 'listWorkers',
  summary:
    'Workers of your team with their state (starting, ready, working, idle, paused, stopped, failed), ' +
    'health, session, cost and last result',
  access: 'agent',
  input: v.object({}),
  http: { method: 'GET', path: '/orchestrate/workers' },
  tools: [{ name: 'team_workers' }],
  run: async ({ caller, api }) =>
    (await api.manager.store.listTeam(caller.teamName)).map((row) => api.manager.view(row)),
});

export const workerBoard = op({
  name: 'workerBoard',
  summary:
    'The board: every worker not stopped (failed ones too) with its state and since when, health, ' +
    'turns, tokens, cost, the last line it wrote and what needs a person; all teams for the admin key',
  access: 'admin-or-lead',
  input: v.object({}),
  http: { method: 'GET', path: '/orchestrate/board' },
  run: async ({ caller, api }) => {
    const workers = await api.manager.board(caller?.teamName);
    const needsYou = workers.filter((w) => w.needsYou !== null || w.state === 'failed' || w.state === 'paused');
    return { workers, needsYou: needsYou.length };
  },
});

export const sendToWorker = op({
  name: 'sendToWorker',
  summary:
    'Send a message to a running worker: it reaches its agent as input (from another worker, fenced as its data)',
  access: 'agent',
  input: v.object({ handle: f.handle, message: f.text({ min: 1, max: 50_000 }) }),
  http: { method: 'POST', path: '/orchestrate/send/:handle' },
  async run({ input, caller, api }) {
    // A lead (or the worker itself) types into the agent as its operator; another worker's text is
    // that worker's data, and reaches the agent fenced with its sender.
    const operator = isLead(caller) || caller.handle === input.handle;
    const text = operator
      ? input.message
      : dataFence({ kind: 'message', from: caller.handle, role: 'worker' }, input.message);
    await api.manager.send(caller.teamName, input.handle, text);
    return { success: true, handle: input.handle };
  },
});

export const workerOutput = op({
  name: 'workerOutput',
  summary: 'A worker’s output lines: the latest, or from a cursor (byte offset) onwards',
  access: 'agent',
  input: v.object({ handle: f.handle, cursor: v.optional(f.int(0)), limit: v.optional(f.int(1, 1000)) }),
  http: { method: 'GET', path: '/orchestrate/output/:handle' },
  run: ({ input, caller, api }) => api.manager.output(caller.teamName, input.handle, input.cursor, input.limit ?? 100),
});

export const registerExternal = op({
  name: 'registerExternal',
  summary: 'Register an external worker (it runs elsewhere and pushes its output)',
  access: 'lead',
  input: v.object({
    handle: f.handle,
    teamName: v.optional(f.handle),
    format: v.optional(f.oneOf(['ndjson', 'text'], 'must be ndjson or text'), 'text'),
  }),
  http: { method: 'POST', path: '/orchestrate/workers/register', status: 201 },
  async run({ input, caller, api }) {
    const teamName = sameTeam(caller, input.teamName, { deny: 403 });
    return api.manager.view(
      await api.manager.registerExternal({ handle: input.handle, teamName, format: input.format }, caller.handle),
    );
  },
});

export const pushOutput = op({
  name: 'pushOutput',
  summary: 'Push output lines of an external worker (the worker itself or a team lead)',
  access: 'agent',
  input: v.object({
    handle: f.handle,
    output: v.optional(f.text({ max: 1_000_000 })),
    lines: v.optional(
      v.pipe(
        v.array(v.string('must be strings'), 'must be a list of lines'),
        v.maxLength(10_000, 'must be at most 10000 lines'),
      ),
    ),
  }),
  http: { method: 'POST', path: '/orchestrate/workers/:handle/output' },
  run({ input, caller, api }) {
    actAs(caller, { handle: input.handle }, 'handle');
    const text = input.output ?? input.lines?.join('\n');
    if (!text) throw workersErrors.WORKERS_OUTPUT_REQUIRED({}, { field: 'output' });
    return api.manager.appendOutput(caller.teamName, input.handle, text);
  },
});

export const dismissWorker = op({
  name: 'dismissWorker',
  summary:
    'Stop a worker: its agent, everything it started (its process group), its pane and its tokens; ' +
    'with removeWorktree, its worktree too (unsaved work goes to a rescue ref first)',
  access: 'lead',
  input: v.object({ handle: f.handle, removeWorktree: v.optional(f.flag) }),
  http: { method: 'POST', path: '/orchestrate/dismiss/:handle' },
  tools: [{ name: 'team_dismiss' }],
  async run({ input, caller, api }) {
    const worker = await api.manager.dismiss(caller.teamName, input.handle);
    // A dismissed worker's token must not outlive it (it would last its full lifetime otherwise).
    await api.revokeTokens(caller.teamName, input.handle, `worker dismissed by ${caller.handle}`);
    if (!input.removeWorktree) return worker;
    if (!worker.worktree) return { ...worker, removed: false, rescued: null };
    // The worker is dismissed whatever happens next: a worktree that could not go is said, not thrown.
    try {
      const removal = await api.rescues.removeWorktree(caller.teamName, input.handle, caller.handle, 'dismiss');
      return { ...worker, worktree: null, removed: removal.removed, rescued: removal.rescued };
    } catch (error) {
      if (!isApiError(error)) throw error;
      return { ...worker, removed: false, rescued: null, worktreeError: { code: error.code, error: error.message } };
    }
  },
});

export const workerOperations = [
  spawnWorker,
  listWorkers,
  workerBoard,
  sendToWorker,
  workerOutput,
  registerExternal,
  pushOutput,
  dismissWorker,
];

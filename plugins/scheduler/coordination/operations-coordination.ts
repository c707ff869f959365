import * as v from 'valibot';
import { operationsFor } from '../../../core/index.js';
import type { AuthApi } from '../../auth/index.js';
import type { WorkersApi } from '../../workers/index.js';
import { claudeProgram, findProgram, probeAll } from './probes.js';

/** What these operations need of the scheduler's api (SchedulerApi has it). */
export interface CoordinationApiPart {
  workers(): WorkersApi | undefined;
}

const op = operationsFor<CoordinationApiPart>();

export const coordinationStatus = op({
  name: 'coordinationStatus',
  summary: 'How this fleet runs agents: the adapter, tmux, the Claude Code binary, your team’s agents',
  access: 'agent',
  input: v.object({}),
  http: { method: 'GET', path: '/coordination/status' },
  async run({ caller, api, ctx }) {
    const workers = api.workers();
    const program = claudeProgram(workers);
    const binary = findProgram(program);
    const auth = ctx.use<AuthApi | undefined>('auth');
    const agents = auth ? await auth.agents.listTeam(caller.teamName) : [];
    return {
      coordination: {
        activeAdapter: workers ? workers.options.defaultAdapter : null,
        defaultSpawnMode: workers ? 'tmux' : null,
        native: {
          isAvailable: binary !== null,
          claudeBinary: binary,
          taskSyncActive: false,
          inboxWatching: false,
          discoveryActive: false,
          knownAgents: agents.map((agent) => agent.handle),
        },
        workersPlugin: workers !== undefined,
        tmux: workers ? { socket: workers.tmux.socket, session: workers.session } : null,
        spawnModes: workers ? ['tmux'] : [],
        deprecatedModes: ['process'],
      },
    };
  },
});

export const coordinationHealth = op({
  name: 'coordinationHealth',
  summary:
    'Honest checks: the workers plugin is on, tmux answers, the Claude Code binary is found, the database answers',
  access: 'lead',
  input: v.object({}),
  http: { method: 'GET', path: '/coordination/health' },
  async run({ caller, api, ctx }) {
    const workers = api.workers();
    const checks = await probeAll(workers, ctx.db);
    return {
      healthy: checks.every((check) => check.passed),
      adapter: workers ? workers.options.defaultAdapter : null,
      checks,
      watchedTeams: [caller.teamName],
      subsystems: {
        workers: { available: workers !== undefined },
        tasks: { available: ctx.use('tasks') !== undefined },
      },
    };
  },
});

export const coordinationOperations = [coordinationStatus, coordinationHealth];

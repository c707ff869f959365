import * as v from 'valibot';
import { f, operationsFor } from '../../../core/index.js';
import { absolutePath, budgetInput, gateInput, gateName, missionId, spawnInput } from './fields.js';
import type { MissionService } from './mission-service.js';

/** What the mission operations need of the plugin's api (WorkflowsApi has it). */
export interface MissionOpsApi {
  missions: MissionService;
}

const op = operationsFor<MissionOpsApi>();
const status = f.oneOf(['running', 'succeeded', 'failed', 'cancelled'] as const);
/** Left out by a mission's own worker: its mission (the seed read CLAUDE_CODE_MISSION_ID). */
const toolId = { mission_id: 'id' } as const;

export const createMission = op({
  name: 'createMission',
  summary:
    'Start a mission (leads): a goal, a running worker of your team or one to spawn, and gates (argument ' +
    'arrays) run when each of its turns ends, iterating on their failures until they pass or a limit is reached',
  access: 'lead',
  input: v.object({
    goal: f.text({ min: 1, max: 20_000 }),
    worker: v.optional(f.handle),
    spawn: v.optional(spawnInput),
    gates: v.pipe(
      f.list(gateInput, { max: 20, of: 'gates', unit: 'gates' }),
      v.minLength(1, 'must list at least one gate'),
    ),
    maxIterations: f.int(1, 100),
    budget: v.optional(budgetInput),
    cwd: v.optional(absolutePath),
  }),
  http: { method: 'POST', path: '/missions', status: 201 },
  tools: [{ name: 'mission_create', rename: { max_iterations: 'maxIterations' } }],
  run: ({ input, caller, api }) => api.missions.create(caller, input),
});

export const listMissions = op({
  name: 'listMissions',
  summary: 'Your team’s missions, newest first: { count, missions }',
  access: 'agent',
  input: v.object({ status: v.optional(status), limit: v.optional(f.int(1, 200)) }),
  http: { method: 'GET', path: '/missions' },
  tools: [{ name: 'mission_list' }],
  run: ({ input, caller, api }) => api.missions.list(caller.teamName, input.status, input.limit ?? 50),
});

export const getMission = op({
  name: 'getMission',
  summary: 'One mission: its goal, worker, gates, limits, status and why',
  access: 'agent',
  input: v.object({ id: missionId }),
  http: { method: 'GET', path: '/missions/:id' },
  run: ({ input, caller, api }) => api.missions.get(caller.teamName, input.id),
});

export const missionStatus = op({
  name: 'missionStatus',
  summary:
    'Where a mission is: status, phase, iteration of maxIterations, why it ended, each gate’s last result ' +
    '(mission_id defaults to the mission you work on)',
  access: 'agent',
  input: v.object({ id: v.optional(missionId) }),
  http: { method: 'GET', path: '/missions/:id/status' },
  tools: [{ name: 'mission_status', rename: toolId }],
  async run({ input, caller, api }) {
    const id = await api.missions.resolveId(caller, input.id);
    return {
      ...(await api.missions.status(caller.teamName, id)),
      mission: await api.missions.get(caller.teamName, id),
    };
  },
});

export const missionGates = op({
  name: 'missionGates',
  summary: 'A mission’s gates (argument arrays), each with its latest result (mission_id defaults to yours)',
  access: 'agent',
  input: v.object({ id: v.optional(missionId) }),
  http: { method: 'GET', path: '/missions/:id/gates' },
  tools: [{ name: 'mission_gates', rename: toolId }],
  async run({ input, caller, api }) {
    return api.missions.gates(caller.teamName, await api.missions.resolveId(caller, input.id));
  },
});

export const missionIterations = op({
  name: 'missionIterations',
  summary:
    'A mission’s iterations, each with its prompt, the worker’s result and every gate’s exit code and output; ' +
    'one iteration with iteration_number (mission_id defaults to yours)',
  access: 'agent',
  input: v.object({ id: v.optional(missionId), n: v.optional(f.int(1, 100)) }),
  http: { method: 'GET', path: '/missions/:id/iterations' },
  tools: [{ name: 'mission_iterations', rename: { ...toolId, iteration_number: 'n' } }],
  async run({ input, caller, api }) {
    const id = await api.missions.resolveId(caller, input.id);
    if (input.n !== undefined) return api.missions.iteration(caller.teamName, id, input.n);
    return api.missions.iterations(caller.teamName, id);
  },
});

export const missionIteration = op({
  name: 'missionIteration',
  summary: 'One iteration of a mission: its prompt, the worker’s result, every gate’s exit code and output',
  access: 'agent',
  input: v.object({ id: missionId, n: f.int(1, 100) }),
  http: { method: 'GET', path: '/missions/:id/iterations/:n' },
  run: ({ input, caller, api }) => api.missions.iteration(caller.teamName, input.id, input.n),
});

export const gateResults = op({
  name: 'gateResults',
  summary:
    'Every recorded gate result of a mission, by iteration, or one gate’s: { missionId, gateCount, results } ' +
    '(mission_id defaults to yours)',
  access: 'agent',
  input: v.object({ id: v.optional(missionId), gate: v.optional(gateName) }),
  tools: [{ name: 'gate_results', rename: { ...toolId, gate_name: 'gate' } }],
  async run({ input, caller, api }) {
    const id = await api.missions.resolveId(caller, input.id);
    return api.missions.gateResults(caller.teamName, id, input.gate);
  },
});

export const cancelMission = op({
  name: 'cancelMission',
  summary: 'Cancel a running mission (leads): its gates stop, a worker it spawned is dismissed',
  access: 'lead',
  input: v.object({ id: missionId }),
  http: { method: 'POST', path: '/missions/:id/cancel' },
  tools: [{ name: 'mission_cancel', rename: toolId }],
  run: ({ input, caller, api }) => api.missions.cancel(caller, input.id),
});

export const missionOperations = [
  createMission,
  listMissions,
  getMission,
  missionStatus,
  missionGates,
  missionIterations,
  missionIteration,
  gateResults,
  cancelMission,
];

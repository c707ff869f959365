import { defineErrors } from '../../../core/index.js';

/** Mission codes (merged into the plugin's table in index.ts). */
export const missionErrors = defineErrors({
  WORKFLOWS_MISSION_NOT_FOUND: [404, 'Mission not found'],
  WORKFLOWS_MISSION_ITERATION_NOT_FOUND: [404, 'Iteration {n} of mission {id} not found'],
  WORKFLOWS_MISSION_ID_REQUIRED: [
    400,
    'mission_id: required (only a mission’s own worker may leave it out: its mission is then the one it works on)',
  ],
  WORKFLOWS_MISSION_WORKERS_OFF: [409, 'the workers plugin is off: a mission needs a worker'],
  WORKFLOWS_MISSION_WORKER_OR_SPAWN: [400, '{field}: give either worker (a running worker) or spawn, not both'],
  WORKFLOWS_MISSION_WORKER_NOT_RUNNING: [409, 'worker: {handle} is not a running worker of your team'],
  WORKFLOWS_MISSION_WORKER_BUSY: [409, 'worker: {handle} already works on mission {id}'],
  WORKFLOWS_MISSION_DUPLICATE_GATE: [400, 'gates.{index}.name: gate {name} is named twice'],
  WORKFLOWS_MISSION_UNKNOWN_ADAPTER: [400, 'spawn.adapter: {adapter} is neither claude nor a configured command'],
  WORKFLOWS_MISSION_NOT_A_DIR: [400, '{field}: {path} is not a directory'],
  WORKFLOWS_MISSION_ENDED: [409, 'Mission {id} has ended ({status})'],
});

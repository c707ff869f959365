import { defineEvents } from '../../../core/index.js';

declare module '../../../core/index.js' {
  interface FleetEventMap {
    'mission:created': { id: string; worker: string; by: string };
    'mission:iteration': { id: string; n: number; passed: boolean; failedGates: string[] };
    'mission:succeeded': { id: string; iterations: number };
    'mission:failed': { id: string; iterations: number; reason: string };
    'mission:cancelled': { id: string; by: string };
  }
}

/** On the team's `missions` topic: ids, gate names and reasons, never gate output or the goal. */
export const missionEvents = defineEvents({
  'mission:created': { topic: 'missions', summary: 'A lead started a mission (its worker named)' },
  'mission:iteration': {
    topic: 'missions',
    summary: 'A mission iteration was checked: whether every gate passed, the names of those that failed',
  },
  'mission:succeeded': { topic: 'missions', summary: 'Every gate of a mission passed' },
  'mission:failed': { topic: 'missions', summary: 'A mission stopped without its gates passing, and why' },
  'mission:cancelled': { topic: 'missions', summary: 'A lead cancelled a mission' },
});

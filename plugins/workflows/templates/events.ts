import { defineEvents } from '../../../core/index.js';

declare module '../../../core/index.js' {
  interface FleetEventMap {
    'template:created': { id: string; name: string; by: string };
    'template:updated': { id: string; name: string; by: string };
    'template:deleted': { id: string; name: string; by: string };
    'template:run': { runId: string; templateId: string; swarmId: string | null; executionId: string | null };
    'template:phase': { runId: string; phase: string; roles: string[] };
    'template:run_ended': { runId: string; status: 'succeeded' | 'failed'; reason: string };
  }
}

/** On the team's `templates` topic (the scheduler's task templates are another thing: scheduler_template_*). */
export const templateEvents = defineEvents({
  'template:created': { topic: 'templates', summary: 'A lead saved a template' },
  'template:updated': { topic: 'templates', summary: 'A lead changed a template' },
  'template:deleted': { topic: 'templates', summary: 'A lead deleted a template' },
  'template:run': {
    topic: 'templates',
    summary: 'A template was run: its swarm, and the workflow execution it started',
  },
  'template:phase': { topic: 'templates', summary: 'A template run’s phase began: its roles were queued to spawn' },
  'template:run_ended': {
    topic: 'templates',
    summary: 'A template run ended: every phase’s workers finished a turn, or one failed',
  },
});

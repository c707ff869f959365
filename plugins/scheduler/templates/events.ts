import { defineEvents } from '../../../core/index.js';

declare module '../../../core/index.js' {
  interface FleetEventMap {
    template_created: { id: string; by: string };
  }
}

export const templateEvents = defineEvents({
  template_created: { topic: 'templates', summary: 'A lead added a task template for the team' },
});

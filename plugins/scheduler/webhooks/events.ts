import { defineEvents } from '../../../core/index.js';

declare module '../../../core/index.js' {
  interface FleetEventMap {
    webhook_received: {
      id: string;
      source: string;
      name: string;
      deliveryId: string;
      event: string;
      action: string | null;
    };
    webhook_processed: {
      id: string;
      deliveryId: string;
      kind: 'initial' | 'recovery' | 'replay';
      status: 'processed' | 'failed';
      outcomes: { action: string; outcome: string; reason?: string }[];
    };
  }
}

/** On the team's `webhooks` topic: ids, event names and outcomes, never the payload. */
export const webhookEvents = defineEvents({
  webhook_received: { topic: 'webhooks', summary: 'A signed delivery was stored (before it was answered)' },
  webhook_processed: { topic: 'webhooks', summary: 'A delivery’s rules ran (first time, at start-up, or a replay)' },
});

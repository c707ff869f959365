import { defineTables } from '../../core/index.js';
import { type QueueTables, queueTables } from './queue/index.js';
import { type ScheduleTables, scheduleTables } from './schedules/tables.js';
import { type WebhookTables, webhookTables } from './webhooks/index.js';

/** Every table of the plugin: schedules and runs (schedules/), the queue (queue/), inbound webhooks (webhooks/). */
export type SchedulerTables = ScheduleTables & QueueTables & WebhookTables;

export const schedulerTables = defineTables<SchedulerTables>({
  ...(scheduleTables.descriptions as { [K in keyof ScheduleTables]: string }),
  ...(queueTables.descriptions as { [K in keyof QueueTables]: string }),
  ...(webhookTables.descriptions as { [K in keyof WebhookTables]: string }),
});

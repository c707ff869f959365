import { defineTables } from '../../core/index.js';
import { type QueueTables, queueTables } from './queue/index.js';
import { type ScheduleTables, scheduleTables } from './schedules/tables.js';
import { type WebhookTables, webhookTables } from './webhooks/index.js';
import { type TemplateTables, templateTables } from './templates/index.js';
import { type NotificationTables, notificationTables } from './notifications/index.js';
import { type AuditTables, auditTables } from './audit/index.js';

/** Every table of the plugin: schedules and runs, the queue, webhooks, templates, notifications, audit. */
export type SchedulerTables = ScheduleTables &
  QueueTables &
  WebhookTables &
  TemplateTables &
  NotificationTables &
  AuditTables;

export const schedulerTables = defineTables<SchedulerTables>({
  ...(scheduleTables.descriptions as { [K in keyof ScheduleTables]: string }),
  ...(queueTables.descriptions as { [K in keyof QueueTables]: string }),
  ...(webhookTables.descriptions as { [K in keyof WebhookTables]: string }),
  ...(templateTables.descriptions as { [K in keyof TemplateTables]: string }),
  ...(notificationTables.descriptions as { [K in keyof NotificationTables]: string }),
  ...(auditTables.descriptions as { [K in keyof AuditTables]: string }),
});

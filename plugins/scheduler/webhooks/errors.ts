import { defineErrors } from '../../../core/index.js';

/** Inbound webhooks' codes (merged into the plugin's table in index.ts). */
export const webhookErrors = defineErrors({
  SCHEDULER_WEBHOOK_NOT_CONFIGURED: [503, 'Webhook endpoint not configured: {missing}'],
  SCHEDULER_WEBHOOK_UNKNOWN: [404, 'Webhook not found: {name}'],
  SCHEDULER_WEBHOOK_UNSIGNED: [401, 'Missing signature'],
  SCHEDULER_WEBHOOK_BAD_SIGNATURE: [401, 'Invalid signature'],
  SCHEDULER_WEBHOOK_STALE: [401, 'Timestamp outside the accepted window of {seconds} s'],
  SCHEDULER_WEBHOOK_TOO_LARGE: [413, 'Webhook body over {limit} bytes'],
  SCHEDULER_WEBHOOK_BAD_HEADER: [400, '{field}: {message}'],
  SCHEDULER_WEBHOOK_BAD_BODY: [400, 'body: {message}'],
  SCHEDULER_WEBHOOK_DELIVERY_NOT_FOUND: [404, 'Delivery not found'],
});

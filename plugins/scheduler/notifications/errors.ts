import { defineErrors } from '../../../core/index.js';

/** Notification codes (merged into the plugin's table in index.ts). */
export const notificationErrors = defineErrors({
  SCHEDULER_NOTIFY_BAD_URL: [400, '{field}: {reason}'],
  SCHEDULER_NOTIFY_NOT_CONFIGURED: [409, 'No notification channels are configured for your team'],
});

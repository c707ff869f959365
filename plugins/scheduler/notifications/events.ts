import { defineEvents } from '../../../core/index.js';

declare module '../../../core/index.js' {
  interface FleetEventMap {
    notifications_configured: { channels: string[]; by: string };
    notifications_toggled: { enabled: boolean; by: string };
  }
}

/** On the team's `notifications` topic: which channels, never their URLs (they are secrets to their owners). */
export const notificationEvents = defineEvents({
  notifications_configured: { topic: 'notifications', summary: 'A lead set the team’s notification channels' },
  notifications_toggled: { topic: 'notifications', summary: 'A lead turned the team’s notifications on or off' },
});

import * as v from 'valibot';
import { f, operationsFor } from '../../../core/index.js';
import type { Notifier } from './notifier.js';

/** What the notification operations need of the plugin's api (SchedulerApi has it). */
export interface NotificationOpsApi {
  notifier: Notifier;
}

const op = operationsFor<NotificationOpsApi>();
const webhookUrl = f.text({ min: 1, max: 2000 });

export const notificationSettings = op({
  name: 'notificationSettings',
  summary: 'Your team’s notifications: on or off, and which channels are set (never their URLs)',
  access: 'agent',
  input: v.object({}),
  http: { method: 'GET', path: '/scheduler/notifications' },
  run: ({ caller, api }) => api.notifier.settings(caller.teamName),
});

export const configureNotifications = op({
  name: 'configureNotifications',
  summary:
    'Set your team’s notification channels (leads; replaces them all): Slack, Teams, Discord incoming-webhook ' +
    'URLs, checked now (http/https, no internal address): 400 naming the field',
  access: 'lead',
  input: v.object({
    slack: v.optional(
      v.object({
        webhookUrl,
        channel: v.optional(f.text({ min: 1, max: 100 })),
        username: v.optional(f.text({ min: 1, max: 100 })),
        iconEmoji: v.optional(f.text({ min: 1, max: 100 })),
      }),
    ),
    teams: v.optional(v.object({ webhookUrl })),
    discord: v.optional(v.object({ webhookUrl })),
  }),
  http: { method: 'POST', path: '/scheduler/notifications/configure' },
  async run({ input, caller, api }) {
    const settings = await api.notifier.configure(caller, input);
    return { message: 'Notifications configured', ...settings };
  },
});

export const testNotifications = op({
  name: 'testNotifications',
  summary: 'Send a test notification to each channel now (leads) and answer what each one did',
  access: 'lead',
  input: v.object({}),
  http: { method: 'POST', path: '/scheduler/notifications/test' },
  async run({ caller, api }) {
    const { enabled, results } = await api.notifier.test(caller);
    if (results.length === 0)
      return { message: 'No notification channels are configured: nothing was sent', sent: 0, enabled, results };
    const sent = results.filter((result) => result.outcome === 'delivered').length;
    return { message: `Test notification delivered to ${sent} of ${results.length} channels`, sent, enabled, results };
  },
});

export const enableNotifications = op({
  name: 'enableNotifications',
  summary: 'Turn your team’s notifications on (leads)',
  access: 'lead',
  input: v.object({}),
  http: { method: 'POST', path: '/scheduler/notifications/enable' },
  run: async ({ caller, api }) => ({
    message: 'Notifications enabled',
    ...(await api.notifier.setEnabled(caller, true)),
  }),
});

export const disableNotifications = op({
  name: 'disableNotifications',
  summary: 'Turn your team’s notifications off (leads)',
  access: 'lead',
  input: v.object({}),
  http: { method: 'POST', path: '/scheduler/notifications/disable' },
  run: async ({ caller, api }) => ({
    message: 'Notifications disabled',
    ...(await api.notifier.setEnabled(caller, false)),
  }),
});

export const notificationOperations = [
  notificationSettings,
  configureNotifications,
  testNotifications,
  enableNotifications,
  disableNotifications,
];

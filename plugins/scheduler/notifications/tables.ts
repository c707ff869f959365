import { defineTables } from '../../../core/index.js';

/** A team's notification settings: on or off, and its channels (JSON: slack, teams, discord). */
export interface SchedulerNotificationsTable {
  team_name: string;
  /** 1 or 0 (portable across SQLite and PostgreSQL). */
  enabled: number;
  channels: string;
  updated_by: string;
  updated_at: number;
}

export interface NotificationTables {
  scheduler_notifications: SchedulerNotificationsTable;
}

export const notificationTables = defineTables<NotificationTables>({
  scheduler_notifications: 'Per team: notifications on or off, and the Slack, Teams and Discord webhook URLs',
});

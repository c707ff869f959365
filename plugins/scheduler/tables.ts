import { defineTables } from '../../core/index.js';
import { type ScheduleTables, scheduleTables } from './schedules/tables.js';

/** Every table of the plugin: schedules and runs (schedules/); the other parts' tables join as they land. */
export type SchedulerTables = ScheduleTables;

export const schedulerTables = defineTables<SchedulerTables>({
  ...(scheduleTables.descriptions as { [K in keyof ScheduleTables]: string }),
});

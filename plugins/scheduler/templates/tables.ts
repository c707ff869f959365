import { defineTables } from '../../../core/index.js';

/** A team's own task template: its JSON body (TaskTemplate without builtIn), by team and id. */
export interface SchedulerTemplatesTable {
  team_name: string;
  id: string;
  body: string;
  category: string;
  created_by: string;
  created_at: number;
}

export interface TemplateTables {
  scheduler_templates: SchedulerTemplatesTable;
}

export const templateTables = defineTables<TemplateTables>({
  scheduler_templates: 'A team’s own task templates (the 12 built-ins live in the code)',
});

import type { AnyPlugin } from '../../core/plugin.js';
import { errorsTable } from './errors-section.js';
import { eventsTable } from './events-section.js';
import { section } from './markdown.js';
import { routesTable, toolsTable } from './operations-section.js';
import { optionsTable } from './options-section.js';
import { tablesTable } from './tables-section.js';

/** The command that regenerates the part, named in it so a reader knows not to edit it by hand. */
export const REGENERATE = 'npm run docs:plugins';

const INTRO = `## Reference\n\n_Generated from the plugin's code by \`${REGENERATE}\`: edit the code, not this part._`;
const TOOLS_NOTE = '`?` marks an optional argument.';
const EVENTS_NOTE = 'Topics are below `team.<team>.`.';
const TABLES_NOTE = 'Columns as migrated on SQLite: `?` marks a nullable column, `pk` the primary key.';

/** A table with a line of explanation above it, or nothing when there is no table. */
function explained(note: string, body: string | undefined): string | undefined {
  return body && `${note}\n\n${body}`;
}

/** The generated part of a plugin's README: one section per kind of declaration, empty ones left out. */
export async function renderReference(plugin: AnyPlugin): Promise<string> {
  const sections = [
    section('Routes', routesTable(plugin)),
    section('Tools', explained(TOOLS_NOTE, toolsTable(plugin))),
    section('Events', explained(EVENTS_NOTE, eventsTable(plugin))),
    section('Tables', explained(TABLES_NOTE, await tablesTable(plugin))),
    section('Error codes', errorsTable(plugin)),
    section('Options', optionsTable(plugin)),
  ].filter((text) => text.length > 0);
  return [INTRO, ...sections].join('\n\n');
}

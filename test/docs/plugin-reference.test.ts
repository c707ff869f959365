import type { Kysely } from 'kysely';
import t from 'tap';
import * as v from 'valibot';
import { defineTables } from '../../core/db/tables.js';
import type { EventSpecs } from '../../core/events/catalog.js';
import { defineErrors } from '../../core/http/api-error.js';
import { operationsFor } from '../../core/operations/operation.js';
import { definePlugin } from '../../core/plugin.js';
import { GENERATED_END, GENERATED_START, spliceGenerated } from '../../scripts/docs/markdown.js';
import { renderReference } from '../../scripts/docs/reference.js';

// auth and metrics declare no events or options: this fixture covers every section of the generator.
const op = operationsFor<unknown>();
const assign = op({
  name: 'assign',
  summary: 'Assign a widget | to an agent',
  access: 'agent',
  input: v.object({
    toHandle: v.string(),
    fromUid: v.optional(v.string()),
    size: v.optional(v.number(), 3),
    note: v.optional(v.string()),
    kind: v.picklist(['a', 'b']),
  }),
  http: { method: 'POST', path: '/widgets' },
  run: () => undefined,
  tools: [
    { name: 'widget_assign', rename: { agent: 'toHandle' }, omit: ['fromUid'], required: ['note'] },
    { name: 'widget_assign_a', access: 'lead', fixed: { kind: 'a' }, omit: ['fromUid'], description: 'Assign kind a' },
  ],
});
const ping = op({
  name: 'ping',
  summary: 'Ping',
  access: 'public',
  input: v.object({}),
  tools: [{ name: 'widget_ping' }],
  run: () => 'pong',
});

const fixture = definePlugin({
  name: 'widgets',
  config: v.object({
    max: v.optional(v.number(), 4),
    limits: v.optional(v.object({ burst: v.optional(v.number(), 10) }), {}),
  }),
  env: { WIDGETS_MAX: 'max', WIDGETS_TYPO: 'maks' },
  tables: defineTables<{ widgets: unknown; widget_tags: unknown }>({ widgets: 'Widgets', widget_tags: 'Tags' }),
  migrations: {
    '0001_widgets': {
      async up(db: Kysely<any>) {
        const widgets = db.schema.createTable('widgets').addColumn('id', 'text', (c) => c.primaryKey());
        await widgets.addColumn('owner', 'text').execute();
        await db.schema
          .createTable('widget_tags')
          .addColumn('widget_id', 'text', (c) => c.notNull())
          .execute();
      },
    },
  },
  errors: defineErrors({ WIDGETS_NOT_FOUND: [404, 'Widget {id} not found'], WIDGETS_BUSY: [409, 'Busy'] }),
  events: {
    widget_said: { topic: (data: { chatId: string }) => `chat.${data.chatId}`, summary: 'Said' },
    widget_deep: { topic: (data: { owner: { handle: string } }) => `owners.${data.owner.handle}`, summary: 'Deep' },
    widget_made: { topic: 'widgets', summary: 'Made' },
    widget_odd: { topic: (data: { items: string[] }) => data.items.map((item) => item).join('.'), summary: 'Odd' },
  } as unknown as EventSpecs,
  operations: [assign, ping],
  setup: () => undefined,
});

t.test('the reference covers routes, tools, events, tables, errors and options', async (t) => {
  const text = await renderReference(fixture);
  const tools = '`widget_assign`, `widget_assign_a`';
  t.match(text, `| POST | \`/widgets\` | any agent | Assign a widget \\| to an agent | ${tools} |`);
  const renamed = "`agent`: string<br>`size?`: number = 3<br>`note`: string<br>`kind`: 'a' \\| 'b'";
  t.match(text, `| \`widget_assign\` | any agent | ${renamed} |`);
  // A binding without `rename` keeps the input key; `fixed` inputs are no arguments but are listed.
  const fixed = "`toHandle`: string<br>`size?`: number = 3<br>`note?`: string<br>`kind` fixed to 'a'";
  t.match(text, `| \`widget_assign_a\` | team leads | ${fixed} | \`POST /widgets\` | Assign kind a |`);
  t.match(text, '| `widget_ping` | public | — | tool only | Ping |');
  t.match(text, '| `widget_deep` | `owners.<owner.handle>` | Deep |');
  t.match(text, '| `widget_made` | `widgets` | Made |');
  t.match(text, '| `widget_odd` | computed | Odd |');
  t.match(text, '| `widget_said` | `chat.<chatId>` | Said |');
  t.match(text, '| `widget_tags` | Tags | `widget_id text` |');
  t.match(text, '| `widgets` | Widgets | `id text pk`, `owner text?` |');
  t.match(text, /\| `WIDGETS_BUSY` \| 409 \| Busy \|\n\| `WIDGETS_NOT_FOUND` \| 404 \| Widget \{id\} not found \|/);
  t.match(text, '| `max` | number | `4` | `WIDGETS_MAX` |');
  t.match(text, '| `limits.burst` | number | `10` | — |');
  t.match(text, '| `maks` | not in the schema | — | `WIDGETS_TYPO` |');
  t.equal(await renderReference(fixture), text, 'the output is deterministic');
});

t.test('a plugin with nothing to show gets only the heading', async (t) => {
  const text = await renderReference(definePlugin({ name: 'empty', setup: () => undefined }));
  t.notMatch(text, '###');
});

t.test('only the part between the markers is replaced', async (t) => {
  const readme = `# x\n\nHand prose.\n\n${GENERATED_START}\nold\n${GENERATED_END}\n\nMore prose.\n`;
  const block = `${GENERATED_START}\nnew\n${GENERATED_END}`;
  t.equal(spliceGenerated(readme, 'new'), `# x\n\nHand prose.\n\n${block}\n\nMore prose.\n`);
  const appended = spliceGenerated('# x\n\nProse.\n\n\n', 'new');
  t.equal(appended, `# x\n\nProse.\n\n${block}\n`, 'markers are appended when absent');
  t.throws(() => spliceGenerated(`# x\n${GENERATED_END}\n${GENERATED_START}\n`, 'new'), /in that order/);
  t.throws(() => spliceGenerated(`# x\n${GENERATED_START}\n`, 'new'), /must both appear/);
});

/**
 * The example plugin in docs/examples/notes is real: it loads from a plugin dir, migrates, serves
 * its routes and tools, emits its event, and passes the conformance suite like every plugin.
 */
import { join } from 'node:path';
import t from 'tap';
import { DEFAULT_PLUGIN_DIR } from '../../core/kernel/catalog.js';
import { runConformance } from '../kit/conformance.js';
import { callTool, registerTeam, startFleet, toolJson, toolText, WsClient } from '../kit/index.js';

const EXAMPLES = join(import.meta.dirname, '../../docs/examples');
const boot = (t: Parameters<typeof startFleet>[0]) =>
  startFleet(t, {
    pluginDirs: [DEFAULT_PLUGIN_DIR, EXAMPLES],
    plugins: { auth: true, notes: true },
    config: { server: { rateLimit: { max: 1_000_000 } } },
  });

t.test('the notes example: routes and tools, coded errors, its event, team scoping', async (t) => {
  const fleet = await boot(t);
  const alpha = await registerTeam(fleet, 'alpha', ['ann', 'bob']);
  const [ann, bob] = alpha.workers;
  const socket = await WsClient.as(t, fleet, bob!);

  const added = toolJson(await callTool(fleet, ann!, 'note_add', { text: 'the test runner needs --no-cache' }));
  t.match(added, { id: 1, author: 'ann', text: 'the test runner needs --no-cache' });
  t.match(await socket.next(), { type: 'note_added', id: 1, author: 'ann' }, 'the team hears of it');

  const listed = await fleet.request('GET', '/notes', { token: bob!.token });
  t.same(listed.body, [added], 'the route lists what the tool added');
  const denied = await fleet.request('DELETE', '/notes/1', { token: bob!.token });
  t.same(denied.body, { error: 'Only its author or a team lead may delete a note', code: 'NOTES_NOT_AUTHOR' });
  t.equal(
    toolText(await callTool(fleet, bob!, 'note_delete', { note_id: 1 })),
    'NOTES_NOT_AUTHOR: Only its author or a team lead may delete a note',
  );
  const deleted = await fleet.request('DELETE', '/notes/1', { token: ann!.token });
  t.same(deleted.body, { deleted: 1 });
  t.equal((await fleet.request('DELETE', '/notes/1', { token: ann!.token })).body.code, 'NOTES_NOT_FOUND');
  t.equal(
    (await fleet.request('GET', '/health', { token: fleet.adminKey })).body.counts.notes,
    0,
    'its health counter',
  );
});

t.test('the notes example passes the conformance suite', async (t) => {
  const fleet = await boot(t);
  await runConformance(t, {
    fleet,
    plugin: 'notes',
    fixtures: {
      addNote: async () => ({ input: { text: 'a note' }, otherTeam: 'own' }),
      listNotes: async ({ alpha, call }) => {
        await call(alpha.lead, 'POST', '/notes', { text: 'alpha only' });
        return { input: {}, otherTeam: 'own', secrets: ['alpha only'] };
      },
      deleteNote: async ({ alpha, call }) => {
        const note = await call(alpha.lead, 'POST', '/notes', { text: 'delete me' });
        return { input: { id: note.id }, secrets: ['delete me'] };
      },
    },
  });
});

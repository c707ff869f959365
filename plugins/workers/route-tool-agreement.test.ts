/**
 * The drift that used to exist between POST /orchestrate/spawn and its tools is gone: team_spawn
 * and spawn_request took an unbounded model and an adapter nobody checked. All three serve one
 * input schema and one handler now, and refuse the same input with the same message.
 */
import t from 'tap';
import { callTool, startWorkerFleet, toolText } from '../../test/kit/index.js';

t.test('spawn: route, team_spawn and spawn_request refuse a long model and an unknown adapter alike', async (t) => {
  const { fleet, lead } = await startWorkerFleet(t);
  const leadAgent = { handle: 'lead', uid: '', token: lead, teamName: 'alpha' };
  const cases: [what: string, input: Record<string, unknown>, message: string, code: string][] = [
    [
      'a model of 101 characters',
      { model: 'm'.repeat(101) },
      'model: must be at most 100 characters',
      'FLEET_INVALID_INPUT',
    ],
    ['an empty model', { model: '' }, 'model: is required', 'FLEET_INVALID_INPUT'],
    [
      'an adapter nobody configured',
      { adapter: 'nosuch' },
      'adapter: no adapter nosuch (available: claude)',
      'WORKERS_UNKNOWN_ADAPTER',
    ],
    [
      'an adapter that is no name',
      { adapter: 'No Such!' },
      'adapter: must be claude or a configured command name',
      'FLEET_INVALID_INPUT',
    ],
    // Object.prototype's `constructor` once passed the adapter check: a 500 and a failed worker record.
    [
      'an adapter named after a prototype member',
      { adapter: 'constructor' },
      'adapter: no adapter constructor (available: claude)',
      'WORKERS_UNKNOWN_ADAPTER',
    ],
  ];
  for (const [what, input, message, code] of cases) {
    const route = await fleet.request('POST', '/orchestrate/spawn', {
      token: lead,
      body: { handle: 'drift', workingDir: fleet.dataDir, ...input },
    });
    t.equal(route.status, 400, `route, ${what}: 400`);
    t.same({ error: route.body.error, code: route.body.code }, { error: message, code }, `route, ${what}`);
    for (const tool of ['team_spawn', 'spawn_request']) {
      const result = await callTool(fleet, leadAgent, tool, { handle: 'drift', workingDir: fleet.dataDir, ...input });
      t.equal(toolText(result), `${code}: ${message}`, `${tool}, ${what}: the same message`);
    }
  }
  const workers = (await fleet.request('GET', '/orchestrate/workers', { token: lead })).body as unknown[];
  t.same(workers, [], 'nothing was spawned or queued');
  t.same((await fleet.request('GET', '/spawn-queue/status', { token: lead })).body.queued, []);
});

/**
 * A dismissed worker's credentials die with it: the FLEET_TOKEN the fleet put in its environment
 * (spawn.json) works while the worker runs and is refused (401 FLEET_TOKEN_REVOKED) once it is
 * dismissed, so a copy of the token left in a shell or a log is no longer a way in.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { startWorkerFleet } from '../../test/kit/index.js';

t.test('dismissing a worker revokes the token in its environment', async (t) => {
  const w = await startWorkerFleet(t);
  const spawned = await w.spawn('w1', { initialPrompt: 'hello' });
  t.equal(spawned.status, 201, JSON.stringify(spawned.body));
  const spec = JSON.parse(readFileSync(join(w.workerDir('w1'), 'spawn.json'), 'utf8')) as {
    env: Record<string, string>;
  };
  const token = spec.env.FLEET_TOKEN;
  t.ok(token, 'the worker was given a token');

  const before = await w.fleet.request('GET', '/teams/alpha/tasks', { token });
  t.equal(before.status, 200, 'the token works while the worker runs');

  const dismissed = await w.fleet.request('POST', '/orchestrate/dismiss/w1', { token: w.lead });
  t.equal(dismissed.status, 200, JSON.stringify(dismissed.body));

  const after = await w.fleet.request('GET', '/teams/alpha/tasks', { token });
  t.match(after, { status: 401, body: { code: 'FLEET_TOKEN_REVOKED' } }, 'refused after dismiss');
  const tool = await w.fleet.request('POST', '/mcp/call', { token, body: { name: 'team_status', arguments: {} } });
  t.equal(tool.status, 401, 'and through the tool route too');

  const respawned = await w.spawn('w1', { initialPrompt: 'hello again' });
  t.equal(respawned.status, 201, 'the handle can be spawned again');
  const fresh = JSON.parse(readFileSync(join(w.workerDir('w1'), 'spawn.json'), 'utf8')) as {
    env: Record<string, string>;
  };
  t.not(fresh.env.FLEET_TOKEN, token, 'with a new token');
  t.equal(
    (await w.fleet.request('GET', '/teams/alpha/tasks', { token: fresh.env.FLEET_TOKEN })).status,
    200,
    'which works',
  );
  t.equal(
    (await w.fleet.request('GET', '/teams/alpha/tasks', { token })).status,
    401,
    'while the old one stays refused',
  );
});

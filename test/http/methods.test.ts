/**
 * HTTP hygiene: a method a known path does not serve is 405 with `Allow` (not a 404 that says the
 * path is unknown), OPTIONS lists the methods, an unknown path stays 404, and the OpenAPI
 * document declares every parameter its paths name (the original left `id` out of
 * `POST /mail/{id}/read`).
 */
import t from 'tap';
import { startCoordination } from '../kit/index.js';

t.test('405 with Allow on a known path; OPTIONS answers Allow; unknown paths stay 404', async (t) => {
  const fleet = await startCoordination(t);
  const lead = await fleet.register('lead', 'alpha', 'team-lead');

  const health = await fleet.request('DELETE', '/health');
  t.equal(health.status, 405);
  t.same(health.body, {
    error: 'DELETE is not allowed on /health',
    code: 'FLEET_METHOD_NOT_ALLOWED',
    allow: 'GET, HEAD, OPTIONS',
  });
  t.equal(health.headers.get('allow'), 'GET, HEAD, OPTIONS');

  const read = await fleet.request('GET', '/mail/12/read', { token: lead.token });
  t.equal(read.status, 405, 'a path with a parameter');
  t.equal(read.headers.get('allow'), 'OPTIONS, POST');

  const task = await fleet.request('PUT', '/tasks/abc', { token: lead.token, body: {} });
  t.equal(task.status, 405, 'a path two methods serve');
  t.equal(task.headers.get('allow'), 'GET, HEAD, OPTIONS, PATCH');

  const options = await fleet.request('OPTIONS', '/tasks/abc');
  t.equal(options.status, 204, 'OPTIONS needs no token: it says only what the OpenAPI document says');
  t.equal(options.headers.get('allow'), 'GET, HEAD, OPTIONS, PATCH');

  const unknown = await fleet.request('GET', '/no/such/path', { token: lead.token });
  t.match(unknown, { status: 404, body: { code: 'FLEET_ROUTE_NOT_FOUND' } }, 'an unknown path is still 404');
  t.equal(unknown.headers.get('allow'), null);
  const deeper = await fleet.request('DELETE', '/mail/12/read/extra', { token: lead.token });
  t.equal(deeper.status, 404, 'a parameter matches one segment, not the rest of the path');

  const served = await fleet.request('GET', '/health');
  t.equal(served.status, 200, 'the methods a path serves are unaffected');
});

t.test('every path parameter the OpenAPI document names is declared, POST /mail/{id}/read included', async (t) => {
  const fleet = await startCoordination(t);
  const doc = (await fleet.request('GET', '/openapi.json')).body as {
    paths: Record<string, Record<string, { parameters?: { name: string; in: string; required: boolean }[] }>>;
  };
  t.match(doc.paths['/mail/{id}/read']?.post?.parameters, [{ name: 'id', in: 'path', required: true }]);
  let checked = 0;
  for (const [path, methods] of Object.entries(doc.paths))
    for (const [method, operation] of Object.entries(methods))
      for (const [, name] of path.matchAll(/\{([^}]+)\}/g)) {
        checked++;
        const declared = operation.parameters?.find((p) => p.name === name && p.in === 'path');
        t.ok(declared?.required, `${method.toUpperCase()} ${path} declares {${name}} as a required path parameter`);
      }
  t.ok(checked > 10, `${checked} path parameters checked`);
});

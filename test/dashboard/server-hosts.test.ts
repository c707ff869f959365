/**
 * Host and Origin: a request (the API's too) or a WebSocket upgrade that names another site is
 * refused before authentication, so a page elsewhere cannot reach the fleet through the browser
 * (DNS rebinding, cross-site requests).
 */
import { request } from 'node:http';
import { hostname, networkInterfaces } from 'node:os';
import t from 'tap';
import { WebSocket } from 'ws';
import { startFleet } from '../kit/index.js';

interface RawAnswer {
  status: number;
  body: any;
}

/** A request with exactly these headers (fetch would not send a foreign Host). */
function rawRequest(
  url: string,
  path: string,
  headers: Record<string, string>,
  options: { method?: string; body?: string; setHost?: boolean } = {},
): Promise<RawAnswer> {
  const { hostname: host, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      { host, port, path, method: options.method ?? 'GET', headers, setHost: options.setHost ?? false },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // not JSON
          }
          resolve({ status: res.statusCode!, body });
        });
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Open /ws with these headers: 'open', or the refusal's status. */
function upgrade(url: string, headers: Record<string, string>): Promise<'open' | number> {
  return new Promise((resolve) => {
    const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/ws`, { headers });
    socket.on('open', () => {
      socket.close();
      resolve('open');
    });
    socket.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode!);
      res.resume();
      socket.terminate();
    });
    socket.on('error', () => undefined);
  });
}

t.test('a foreign Host is refused everywhere: page, files, API, WebSocket', async (t) => {
  const fleet = await startFleet(t);
  const lead = await fleet.register('lead', 'alpha', 'team-lead');
  const port = new URL(fleet.url).port;
  for (const host of [
    `evil.example:${port}`,
    'evil.example',
    `127.0.0.1:${Number(port) + 1}`,
    `localhost.evil.example:${port}`,
    `127.0.0.1.nip.io:${port}`,
    `${hostname()}:${port}`,
    '',
  ]) {
    for (const path of ['/', '/dashboard/app/panel-kit.js', '/health', '/dashboard/me']) {
      const answer = await rawRequest(fleet.url, path, { host, authorization: `Bearer ${lead.token}` });
      t.equal(answer.status, 403, `Host ${JSON.stringify(host)} on ${path}`);
      t.equal(answer.body.code, 'FLEET_FORBIDDEN_HOST');
    }
    // (ws sends its own Host when given an empty one)
    if (host !== '') t.equal(await upgrade(fleet.url, { host }), 403, `Host ${JSON.stringify(host)} on /ws`);
  }
  // Node itself answers an HTTP/1.1 request without Host with 400; either way nothing is served.
  const none = await rawRequest(fleet.url, '/health', {}, { setHost: false });
  t.ok(none.status === 400 || none.status === 403, `no Host at all: ${none.status}`);
  t.notMatch(JSON.stringify(none.body), /version/);
});

t.test('the loopback names with the fleet’s port are its own', async (t) => {
  const fleet = await startFleet(t);
  const port = new URL(fleet.url).port;
  for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`]) {
    const answer = await rawRequest(fleet.url, '/health', { host });
    t.equal(answer.status, 200, `Host ${host}`);
    t.equal(await upgrade(fleet.url, { host }), 'open', `Host ${host} on /ws`);
  }
});

t.test('a foreign Origin is refused on the API and the WebSocket; the same origin is fine', async (t) => {
  const fleet = await startFleet(t);
  const lead = await fleet.register('lead', 'alpha', 'team-lead');
  const own = new URL(fleet.url);
  const host = own.host;
  for (const origin of [
    'http://evil.example',
    `http://evil.example:${own.port}`,
    `http://127.0.0.1:${Number(own.port) + 1}`,
    'null',
    `file://${host}`,
    `http://${host}/path`,
    `https://evil.example`,
  ]) {
    const api = await rawRequest(
      fleet.url,
      '/dashboard/sign-in-codes',
      {
        host,
        origin,
        authorization: `Bearer ${lead.token}`,
        'content-type': 'application/json',
      },
      { method: 'POST', body: '{}' },
    );
    t.equal(api.status, 403, `Origin ${origin} on POST /dashboard/sign-in-codes`);
    t.equal(api.body.code, 'FLEET_FORBIDDEN_ORIGIN');
    const read = await rawRequest(fleet.url, '/dashboard/me', { host, origin, authorization: `Bearer ${lead.token}` });
    t.equal(read.status, 403, `Origin ${origin} on GET /dashboard/me`);
    t.equal(await upgrade(fleet.url, { host, origin }), 403, `Origin ${origin} on /ws`);
  }
  for (const origin of [`http://${host}`, `http://localhost:${own.port}`]) {
    const api = await rawRequest(fleet.url, '/dashboard/me', { host, origin, authorization: `Bearer ${lead.token}` });
    t.equal(api.status, 200, `Origin ${origin} is the fleet's own`);
    t.equal(api.body.handle, 'lead');
    t.equal(await upgrade(fleet.url, { host, origin }), 'open', `Origin ${origin} on /ws`);
  }
});

t.test('server.allowedHosts and server.publicUrl add names', async (t) => {
  const fleet = await startFleet(t, {
    config: { server: { allowedHosts: ['fleet.lan', 'proxy.example:8443'], publicUrl: 'https://fleet.example.com' } },
  });
  const port = new URL(fleet.url).port;
  const allowed = [`fleet.lan:${port}`, 'fleet.lan:9999', 'fleet.lan', 'proxy.example:8443', 'fleet.example.com'];
  for (const host of allowed) t.equal((await rawRequest(fleet.url, '/health', { host })).status, 200, `Host ${host}`);
  for (const host of ['proxy.example:8444', 'proxy.example', 'fleet.example.com:8080', `other.lan:${port}`])
    t.equal((await rawRequest(fleet.url, '/health', { host })).status, 403, `Host ${host}`);
  const origin = await rawRequest(fleet.url, '/health', {
    host: 'fleet.example.com',
    origin: 'https://fleet.example.com',
  });
  t.equal(origin.status, 200, 'the public URL is an origin of the fleet');
});

t.test('a bad server.allowedHosts is refused with the key named', async (t) => {
  const { resolveConfig } = await import('../../core/config/load-config.js');
  for (const bad of [['http://fleet.lan'], ['fleet.lan/path'], [''], 'fleet.lan', [5]]) {
    t.throws(
      () => resolveConfig({ server: { allowedHosts: bad } }, { env: {} }),
      { message: /server\.allowedHosts/ },
      JSON.stringify(bad),
    );
  }
});

t.test('bound to all interfaces: its addresses and host name are its own too', async (t) => {
  const fleet = await startFleet(t, { config: { server: { host: '0.0.0.0' } } });
  const port = new URL(fleet.url).port;
  const address = Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .find((entry) => entry.family === 'IPv4' && !entry.internal)?.address;
  const hosts = [`${hostname()}:${port}`, `127.0.0.1:${port}`, ...(address ? [`${address}:${port}`] : [])];
  for (const host of hosts) t.equal((await rawRequest(fleet.url, '/', { host })).status, 200, `Host ${host}`);
  t.equal((await rawRequest(fleet.url, '/', { host: `evil.example:${port}` })).status, 403, 'others still not');
});

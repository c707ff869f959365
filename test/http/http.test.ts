import { request as httpRequest } from 'node:http';
import t from 'tap';
import * as v from 'valibot';
import { definePlugin, operationsFor } from '../../core/index.js';
import { startFleet } from '../kit/index.js';

const LEAKY_MESSAGE =
  'SQLITE_ERROR: no such table: secret_table in SELECT * FROM secret_table at /home/fleet/core/db/secret.ts:42';

const op = operationsFor<void>();
const thrower = (name: string, path: string, fail: () => unknown) =>
  op({ name, summary: name, access: 'public', input: v.object({}), http: { method: 'GET', path }, run: fail });

/** A plugin whose handlers fail in the ways real code does, and a route with every input kind. */
const probe = definePlugin({
  name: 'probe',
  operations: [
    thrower('throw', '/probe/throw', () => {
      throw new Error(LEAKY_MESSAGE);
    }),
    thrower('throwAsync', '/probe/throw-async', async () => {
      await new Promise((resolve) => setImmediate(resolve));
      throw new TypeError(`Cannot read properties of undefined (reading 'x') at /srv/fleet/plugins/probe/index.ts:9`);
    }),
    thrower('throwString', '/probe/throw-string', () => {
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- what careless code throws, on purpose
      throw `raw failure at /var/lib/fleet/fleet.db`;
    }),
    // What Koa's ctx.throw(500, ...) throws: an error with a status and internals in the message.
    thrower('koa500', '/probe/koa-500', () => {
      throw Object.assign(new Error('pool exhausted at /etc/fleet/db.conf'), { status: 500, expose: false });
    }),
    op({
      name: 'echo',
      summary: 'Echo an item',
      access: 'agent',
      input: v.object({
        id: v.pipe(v.string(), v.regex(/^\d+$/, 'must be digits')),
        text: v.pipe(v.string('must be a string'), v.maxLength(2000, 'must be at most 2000 characters')),
      }),
      http: { method: 'POST', path: '/probe/items/:id' },
      run: ({ input, caller }) => ({ id: input.id, text: input.text, by: caller.handle }),
    }),
  ],
  setup() {},
});

const plugins = { auth: true, metrics: true, probe: true };

/** Send a body in chunks without a Content-Length, so only the streaming check can catch its size. */
function postChunked(url: string, path: string, chunks: string[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url + path,
      { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    // The server may answer 413 and close before every chunk is written.
    req.on('error', (error: NodeJS.ErrnoException) =>
      error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error),
    );
    const write = (index: number): void => {
      if (index === chunks.length) {
        req.end();
        return;
      }
      req.write(chunks[index], () => setImmediate(() => write(index + 1)));
    };
    write(0);
  });
}

t.test('unknown routes answer a JSON 404', async (t) => {
  const fleet = await startFleet(t);
  for (const [method, path] of [
    ['GET', '/no/such/route'],
    ['POST', '/nothing-here'],
    ['DELETE', '/health/extra'],
  ] as const) {
    const response = await fleet.request(method, path, { body: method === 'GET' ? undefined : {} });
    t.equal(response.status, 404, `${method} ${path}`);
    t.match(response.headers.get('content-type'), /application\/json/);
    t.type(response.body, 'object', 'parsed as JSON');
    t.type(response.body.error, 'string');
  }
});

t.test('a body over server.bodyLimit is refused with 413', async (t) => {
  const fleet = await startFleet(t, { config: { server: { bodyLimit: 1024 } } });
  const big = { handle: 'alice', teamName: 'alpha', padding: 'x'.repeat(2048) };
  const declared = await fleet.request('POST', '/auth', { token: fleet.adminKey, body: big });
  t.equal(declared.status, 413, 'a declared Content-Length over the limit');
  t.match(declared.body.error, /too large/i);

  const streamed = await postChunked(
    fleet.url,
    '/auth',
    Array.from({ length: 8 }, () => 'x'.repeat(512)),
  );
  t.equal(streamed.status, 413, 'a chunked body that grows past the limit');
  t.match(JSON.parse(streamed.body).error, /too large/i);

  const small = await fleet.request('POST', '/auth', {
    token: fleet.adminKey,
    body: { handle: 'alice', teamName: 'alpha' },
  });
  t.equal(small.status, 200, 'a body under the limit still works');
});

t.test('malformed JSON is 400 and a non-JSON body is refused', async (t) => {
  const fleet = await startFleet(t);
  const malformed = await fleet.request('POST', '/auth', { token: fleet.adminKey, body: '{"handle": "alice",' });
  t.equal(malformed.status, 400);
  t.same(malformed.body, { error: 'body: is not valid JSON', code: 'FLEET_INVALID_JSON', field: 'body' });

  const form = await fleet.request('POST', '/auth', {
    token: fleet.adminKey,
    body: 'handle=alice&teamName=alpha',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  t.equal(form.status, 415);
  t.match(form.body.error, /^body: expected application\/json/);
});

t.test('route schemas validate params and body with 400s naming the field', async (t) => {
  const fleet = await startFleet(t, { plugins, extraPlugins: [probe] });
  const agent = await fleet.register('alice', 'alpha');
  const good = await fleet.request('POST', '/probe/items/7', { token: agent.token, body: { text: 'hi' } });
  t.equal(good.status, 200);
  t.same(good.body, { id: '7', text: 'hi', by: 'alice' }, 'the handler sees the caller from the token');

  const badParam = await fleet.request('POST', '/probe/items/seven', { token: agent.token, body: { text: 'hi' } });
  t.equal(badParam.status, 400);
  t.same(badParam.body, { error: 'id: must be digits', code: 'FLEET_INVALID_INPUT', field: 'id' });

  const badBody = await fleet.request('POST', '/probe/items/7', { token: agent.token, body: { text: 5 } });
  t.equal(badBody.status, 400);
  t.same(badBody.body, { error: 'text: must be a string', code: 'FLEET_INVALID_INPUT', field: 'text' });
});

t.test(
  'rate limit: the request past server.rateLimit.max is 429, per client, /health and /metrics exempt',
  async (t) => {
    const fleet = await startFleet(t, { config: { server: { rateLimit: { windowMs: 60_000, max: 5 } } } });
    const alice = await fleet.register('alice', 'alpha');
    const bob = await fleet.register('bob', 'alpha');

    for (let i = 1; i <= 5; i++) {
      const response = await fleet.request('GET', '/teams/alpha/agents', { token: alice.token });
      t.equal(response.status, 200, `request ${i} of 5`);
      t.equal(response.headers.get('ratelimit-remaining'), String(5 - i));
    }
    const sixth = await fleet.request('GET', '/teams/alpha/agents', { token: alice.token });
    t.equal(sixth.status, 429);
    t.same(sixth.body, { error: 'Too many requests. Try again later.', code: 'FLEET_RATE_LIMITED', scope: 'agent' });
    const retryAfter = Number(sixth.headers.get('retry-after'));
    t.ok(
      Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60,
      `Retry-After is seconds within the window (${retryAfter})`,
    );
    t.equal(
      (await fleet.request('POST', '/mcp/call', { token: alice.token, body: { name: 'team_status' } })).status,
      429,
      'every limited route shares the budget',
    );

    for (let i = 0; i < 8; i++) {
      t.equal((await fleet.request('GET', '/health', { token: alice.token })).status, 200, `/health is exempt (${i})`);
      t.equal(
        (await fleet.request('GET', '/metrics', { token: alice.token })).status,
        200,
        `/metrics is exempt (${i})`,
      );
    }

    t.equal(
      (await fleet.request('GET', '/teams/alpha/agents', { token: bob.token })).status,
      200,
      'another agent has its own budget',
    );
    t.equal((await fleet.request('GET', '/openapi.json')).status, 200, 'an anonymous client has its own budget');
  },
);

t.test('rate limit: an invalid token buys no fresh budget', async (t) => {
  const fleet = await startFleet(t, { config: { server: { rateLimit: { windowMs: 60_000, max: 3 } } } });
  for (let i = 0; i < 3; i++) t.equal((await fleet.request('GET', '/openapi.json')).status, 200);
  for (const token of ['garbage-1', 'garbage-2']) {
    const response = await fleet.request('GET', '/openapi.json', { token });
    t.equal(response.status, 429, `a request with ${token} counts against the address`);
  }
});

t.test('rate limit from RATE_LIMIT_MAX and RATE_LIMIT_WINDOW', async (t) => {
  const fleet = await startFleet(t, { env: { RATE_LIMIT_MAX: '2', RATE_LIMIT_WINDOW: '1000' } });
  t.equal((await fleet.request('GET', '/openapi.json')).status, 200);
  t.equal((await fleet.request('GET', '/openapi.json')).status, 200);
  const limited = await fleet.request('GET', '/openapi.json');
  t.equal(limited.status, 429);
  t.equal(limited.headers.get('retry-after'), '1');
  // The window is one second: poll until it reopens rather than sleeping a fixed time.
  let status = limited.status;
  const deadline = Date.now() + 3000;
  while (status === 429 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    status = (await fleet.request('GET', '/openapi.json')).status;
  }
  t.equal(status, 200, 'the next window has a fresh budget');
});

t.test('a handler that throws answers 500 Internal server error with no internals', async (t) => {
  const fleet = await startFleet(t, { plugins, extraPlugins: [probe] });
  for (const path of ['/probe/throw', '/probe/throw-async', '/probe/throw-string', '/probe/koa-500']) {
    const response = await fleet.request('GET', path);
    t.equal(response.status, 500, path);
    t.same(
      response.body,
      { error: 'Internal server error', code: 'FLEET_INTERNAL' },
      `${path}: only the generic message`,
    );
    const raw = JSON.stringify(response.body);
    t.notMatch(
      raw,
      /SELECT|SQLITE|secret_table|\/home\/|\/srv\/|\/var\/|\/etc\/|\.ts|stack|at /,
      `${path}: no stack, SQL or path`,
    );
  }
  t.ok(
    fleet.logs.some((line) => line.includes('secret_table')),
    'the log keeps the details',
  );
  t.equal((await fleet.request('GET', '/health')).status, 200, 'the fleet keeps serving');
});

t.test('GET /openapi.json describes the live routes and their schemas', async (t) => {
  const fleet = await startFleet(t, { plugins, extraPlugins: [probe] });
  const response = await fleet.request('GET', '/openapi.json');
  t.equal(response.status, 200);
  const doc = response.body;
  t.match(doc.openapi, /^3\.\d+\.\d+$/);
  t.match(doc.info, { title: String, version: String });
  t.type(doc.paths, 'object');

  const auth = doc.paths['/auth']?.post;
  t.ok(auth, 'POST /auth is documented');
  const schema = auth.requestBody?.content?.['application/json']?.schema;
  t.equal(schema?.type, 'object');
  t.ok(schema?.properties?.handle && schema?.properties?.teamName, 'the body schema has handle and teamName');
  t.same([...(schema?.required ?? [])].sort(), ['handle', 'teamName'], 'agentType and role are optional');
  t.same(schema.properties.agentType.enum, ['team-lead', 'worker']);
  t.equal(schema.properties.handle.maxLength, 50);

  const teams = doc.paths['/teams/{teamName}/agents']?.get;
  t.ok(teams, 'path parameters use OpenAPI braces');
  t.match(teams.parameters, [{ name: 'teamName', in: 'path', required: true }]);
  t.same(teams.security, [{ bearer: [] }], 'an agent route needs the bearer token');
  t.same(doc.paths['/health'].get.security[0], {}, 'a public route does not');
  t.ok(doc.components?.securitySchemes?.bearer);

  const item = doc.paths['/probe/items/{id}']?.post;
  t.ok(item, "the extra plugin's route is documented");
  t.same(item.tags, ['probe']);
  t.ok(item.requestBody.content['application/json'].schema.properties.text);
  t.ok(doc.paths['/probe/throw']?.get, 'every route of the plugin');

  for (const [path, operations] of Object.entries(
    doc.paths as Record<string, Record<string, { responses?: object }>>,
  )) {
    t.match(path, /^\//, `${path} is absolute`);
    for (const [method, operation] of Object.entries(operations)) {
      t.ok(['get', 'post', 'put', 'patch', 'delete'].includes(method), `${method} ${path} is an HTTP method`);
      t.ok(operation.responses && Object.keys(operation.responses).length > 0, `${method} ${path} has responses`);
    }
  }
});

t.test('openapi.json follows the plugins that are running', async (t) => {
  const fleet = await startFleet(t);
  const doc = (await fleet.request('GET', '/openapi.json')).body;
  t.notOk(doc.paths['/probe/items/{id}'], 'no route of a plugin that is not on');
  t.ok(doc.paths['/metrics'], "the metrics plugin's routes");
});

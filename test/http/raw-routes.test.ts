import { createHash } from 'node:crypto';
import t from 'tap';
import * as v from 'valibot';
import { definePlugin, operationsFor } from '../../core/index.js';
import { checkPluginDeclarations } from '../../core/kernel/surface.js';
import { startFleet } from '../kit/index.js';

const op = operationsFor<void>();

/** A raw route answers what it received: the digest of the exact bytes, a header and its query input. */
const rawEcho = op({
  name: 'rawEcho',
  summary: 'Echo what a raw route receives',
  access: 'public',
  input: v.object({ name: v.string(), mode: v.optional(v.string()) }),
  http: { method: 'POST', path: '/probe/raw/:name', raw: true },
  run: ({ input, request }) => ({
    name: input.name,
    mode: input.mode ?? null,
    bytes: request?.rawBody.length ?? -1,
    sha256: request ? createHash('sha256').update(request.rawBody).digest('hex') : null,
    signature: request?.headers['x-probe-signature'] ?? null,
    contentType: request?.headers['content-type'] ?? null,
  }),
});

/** A parsed route beside it, to show the raw one changes nothing for the others. */
const parsedEcho = op({
  name: 'parsedEcho',
  summary: 'Echo a parsed body',
  access: 'public',
  input: v.object({ text: v.string() }),
  http: { method: 'POST', path: '/probe/parsed' },
  run: ({ input, request }) => ({ text: input.text, raw: request !== undefined }),
});

const probe = definePlugin({ name: 'probe', operations: [rawEcho, parsedEcho], setup() {} });
const digest = (text: string) => createHash('sha256').update(Buffer.from(text, 'utf8')).digest('hex');

t.test('a raw route gets the exact bytes and headers, whatever the content type', async (t) => {
  const fleet = await startFleet(t, { plugins: { auth: true, probe: true }, extraPlugins: [probe] });
  const form = 'payload=%7B%22a%22%3A1%7D&x=%C3%A9';
  const formAnswer = await fleet.request('POST', '/probe/raw/github?mode=form', {
    body: form,
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-probe-signature': 'sha256=abc' },
  });
  t.equal(formAnswer.status, 200, 'a form body is not refused as non-JSON');
  t.same(formAnswer.body, {
    name: 'github',
    mode: 'form',
    bytes: Buffer.byteLength(form),
    sha256: digest(form),
    signature: 'sha256=abc',
    contentType: 'application/x-www-form-urlencoded',
  });

  // JSON with odd spacing and key order: the handler must see these bytes, not a re-serialisation.
  const json = '{ "b": 1,\n  "a": [1, 2.50, "é"] }';
  const jsonAnswer = await fleet.request('POST', '/probe/raw/generic', {
    body: json,
    headers: { 'content-type': 'application/json' },
  });
  t.equal(jsonAnswer.status, 200);
  t.equal(jsonAnswer.body.sha256, digest(json), 'the digest is over the bytes as sent');
  t.equal(jsonAnswer.body.mode, null, 'body fields are not input: no 400 for unknown keys');

  const broken = '{"not json';
  const brokenAnswer = await fleet.request('POST', '/probe/raw/generic', {
    body: broken,
    headers: { 'content-type': 'application/json' },
  });
  t.equal(brokenAnswer.status, 200, 'malformed JSON reaches the raw handler (it judges its own bytes)');
  t.equal(brokenAnswer.body.sha256, digest(broken));

  const empty = await fleet.request('POST', '/probe/raw/empty', {});
  t.equal(empty.status, 200);
  t.equal(empty.body.bytes, 0, 'no body: empty bytes');

  const unknownQuery = await fleet.request('POST', '/probe/raw/github?nope=1', { body: 'x', headers: {} });
  t.equal(unknownQuery.status, 400, 'the query is input and still checked');
  t.match(unknownQuery.body, { code: 'FLEET_INVALID_INPUT', field: 'nope' });
});

t.test('other routes keep their JSON rules and the body limit holds for raw routes', async (t) => {
  const fleet = await startFleet(t, {
    plugins: { auth: true, probe: true },
    extraPlugins: [probe],
    config: { server: { bodyLimit: 1024 } },
  });
  const malformed = await fleet.request('POST', '/probe/parsed', {
    body: '{"text":',
    headers: { 'content-type': 'application/json' },
  });
  t.equal(malformed.status, 400, 'a parsed route still refuses malformed JSON');
  t.equal(malformed.body.code, 'FLEET_INVALID_JSON');
  const form = await fleet.request('POST', '/probe/parsed', {
    body: 'text=hi',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  t.equal(form.status, 415, 'and a non-JSON body');
  const parsed = await fleet.request('POST', '/probe/parsed', { body: { text: 'hi' } });
  t.same(parsed.body, { text: 'hi', raw: false }, 'a parsed route gets no request bytes');

  const big = await fleet.request('POST', '/probe/raw/github', {
    body: 'x'.repeat(2048),
    headers: { 'content-type': 'application/octet-stream' },
  });
  t.equal(big.status, 413, 'the fleet body limit applies to raw routes too');
  t.equal(big.body.code, 'FLEET_BODY_TOO_LARGE');
});

t.test('OpenAPI describes a raw route: query parameters and a body of bytes', async (t) => {
  const fleet = await startFleet(t, { plugins: { auth: true, probe: true }, extraPlugins: [probe] });
  const doc = await fleet.request('GET', '/openapi.json', {});
  const route = doc.body.paths['/probe/raw/{name}'].post;
  t.same(
    route.parameters.map((parameter: { name: string; in: string }) => [parameter.name, parameter.in]),
    [
      ['name', 'path'],
      ['mode', 'query'],
    ],
  );
  t.ok(route.requestBody.content['application/octet-stream'], 'bytes');
  t.equal(route.requestBody.required, false);
});

t.test('a raw operation cannot have tools', async (t) => {
  const withTool = definePlugin({
    name: 'probe',
    operations: [{ ...rawEcho, tools: [{ name: 'raw_echo' }] }],
    setup() {},
  });
  t.throws(() => checkPluginDeclarations(withTool), /served raw and cannot have tools/);
  t.doesNotThrow(() => checkPluginDeclarations(probe));
});

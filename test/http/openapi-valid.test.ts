/**
 * /openapi.json is a valid OpenAPI 3.0 document, checked by a real validator (the OpenAPI
 * Initiative's JSON Schema for 3.0, through @seriousme/openapi-schema-validator; python's
 * openapi-spec-validator too where it is installed), with every plugin on. Each operation says
 * what it answers (its success, and errors in the one shape with a `code`) and what credential it
 * needs; bodies are strict, as the server is.
 */
import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import t from 'tap';
import { fakeAgentWorkers, startFleet, tempDir, type TestLike } from '../kit/index.js';

type Operation = {
  operationId: string;
  security?: Record<string, string[]>[];
  responses: Record<string, { $ref?: string; content?: Record<string, unknown> }>;
  requestBody?: { content: { 'application/json': { schema: Record<string, unknown> } } };
};
type Document = { paths: Record<string, Record<string, Operation>>; components: Record<string, any> };

async function fullDocument(t: TestLike & { equal(a: unknown, b: unknown): void }): Promise<Document> {
  const fleet = await startFleet(t, {
    plugins: { auth: true, metrics: true, mail: true, tasks: true, workers: fakeAgentWorkers() },
  });
  const response = await fleet.request('GET', '/openapi.json');
  t.equal(response.status, 200);
  return response.body as Document;
}

function operations(doc: Document): [string, Operation][] {
  return Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]): [string, Operation] => [
      `${method.toUpperCase()} ${path}`,
      operation,
    ]),
  );
}

/** python's openapi-spec-validator, when on PATH (it is not a dependency of the project). */
function findSpecValidator(): string | undefined {
  return (process.env.PATH ?? '')
    .split(':')
    .map((dir) => join(dir, 'openapi-spec-validator'))
    .find((path) => existsSync(path));
}

t.test('the validator refuses what /openapi.json used to say (required: [])', async (t) => {
  const validator = new Validator();
  const result = await validator.validate({
    openapi: '3.0.3',
    info: { title: 't', version: '1' },
    paths: {
      '/x': {
        post: {
          requestBody: { content: { 'application/json': { schema: { type: 'object', required: [] } } } },
          responses: { 200: { description: 'ok' } },
        },
      },
    },
  });
  t.equal(result.valid, false, 'an empty required list is invalid in OpenAPI 3.0');
});

t.test('/openapi.json with every plugin on is a valid OpenAPI 3.0 document', async (t) => {
  const doc = await fullDocument(t);
  const validator = new Validator();
  const result = await validator.validate(structuredClone(doc));
  t.same(result.errors ?? [], [], 'no schema errors');
  t.equal(result.valid, true, `valid OpenAPI ${validator.version}`);
  t.ok(operations(doc).length > 40, `${operations(doc).length} operations`);

  const python = findSpecValidator();
  if (!python) {
    t.comment('openapi-spec-validator (python) is not installed: checked with the npm validator only');
    return;
  }
  const file = join(tempDir(t), 'openapi.json');
  writeFileSync(file, JSON.stringify(doc));
  const output = await new Promise<{ code: number; text: string }>((resolve) =>
    execFile(python, [file], { timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, text: `${stdout}${stderr}` }),
    ),
  );
  t.equal(output.code, 0, `openapi-spec-validator: ${output.text.trim().split('\n').slice(-3).join(' | ')}`);
});

t.test('each operation says what it answers and which credential it needs', async (t) => {
  const doc = await fullDocument(t);
  const schemes = doc.components.securitySchemes;
  t.match(schemes.bearer, { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'agent tokens');
  t.match(schemes.adminKey, { type: 'http', scheme: 'bearer', description: /admin key/ }, 'the admin key');
  t.same(doc.components.schemas.Error.required, ['error', 'code'], 'every error has its code');
  for (const [name, operation] of operations(doc)) {
    const success = Object.entries(operation.responses).find(([status]) => /^2\d\d$/.test(status));
    t.ok(success?.[1].content, `${name}: its success response has a content type`);
    t.equal(operation.responses.default?.$ref, '#/components/responses/Error', `${name}: errors have one shape`);
    t.equal(operation.responses['400']?.$ref, '#/components/responses/Error', `${name}: 400 for bad input`);
    t.ok(operation.security && operation.security.length > 0, `${name}: says who may call`);
    const body = operation.requestBody?.content['application/json'].schema;
    if (body) t.equal(body.additionalProperties, false, `${name}: a strict body`);
  }
  const byId = Object.fromEntries(operations(doc).map(([, operation]) => [operation.operationId, operation]));
  t.same(byId['auth.register']!.security, [{ adminKey: [] }, { bearer: [] }], "/auth's credential: admin key or lead");
  t.same(byId['tasks.createTask']!.security, [{ bearer: [] }], 'an agent route: the bearer token');
  t.same(byId['kernel.health']!.security?.[0], {}, 'a public route needs nothing');
  t.ok(byId['metrics.metricsText']!.responses['200']!.content!['text/plain; version=0.0.4'], '/metrics is text');
});

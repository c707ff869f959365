import { toJsonSchema } from '@valibot/to-json-schema';
import type { RouteRecord } from './route-types.js';
import type { AnySchema } from './validate.js';

function schemaOf(schema: AnySchema): Record<string, unknown> {
  const json = toJsonSchema(schema, { errorMode: 'ignore', target: 'openapi-3.0' }) as Record<string, unknown>;
  delete json.$schema;
  return json;
}

function parametersOf(schema: AnySchema | undefined, where: 'path' | 'query'): unknown[] {
  if (!schema) return [];
  const json = schemaOf(schema) as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || (json.required ?? []).includes(name),
    schema: property,
  }));
}

/** An OpenAPI 3.0 document generated from the live routes and their valibot schemas. */
export function buildOpenApi(records: readonly RouteRecord[], info: { title: string; version: string }): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const record of records) {
    const path = record.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const { spec } = record;
    const access = spec.auth ?? 'agent';
    const operation: Record<string, unknown> = {
      summary: spec.summary,
      tags: [record.plugin],
      parameters: [...parametersOf(spec.params, 'path'), ...parametersOf(spec.query, 'query')],
      responses: {
        [String(spec.status ?? 200)]: { description: 'Success' },
        ...(spec.body || spec.params || spec.query ? { 400: { $ref: '#/components/responses/Error' } } : {}),
        ...(access !== 'public' ? { 401: { $ref: '#/components/responses/Error' }, 403: { $ref: '#/components/responses/Error' } } : {}),
      },
    };
    if (access !== 'public') operation.security = [{ bearer: [] }];
    if (access === 'lead') operation.description = 'Team leads only.';
    if (spec.body) operation.requestBody = { required: true, content: { 'application/json': { schema: schemaOf(spec.body) } } };
    (paths[path] ??= {})[record.method.toLowerCase()] = operation;
  }
  return {
    openapi: '3.0.3',
    info,
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      responses: {
        Error: {
          description: 'An error: `{ error: message, ...details }`',
          content: { 'application/json': { schema: { type: 'object', properties: { error: { type: 'string' } }, required: ['error'] } } },
        },
      },
    },
  };
}

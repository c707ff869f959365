import { toJsonSchema } from '@valibot/to-json-schema';
import * as v from 'valibot';
import { describeAccess } from '../access.js';
import type { GenericSchema } from 'valibot';
import { pathParams, requiredKeys } from './input.js';
import type { Operation } from './operation.js';

/** One served operation as the document lists it. */
export interface OpenApiEntry {
  plugin: string;
  operation: Operation;
}

function schemaOf(schema: GenericSchema): Record<string, unknown> {
  const json = toJsonSchema(schema, { errorMode: 'ignore', target: 'openapi-3.0' }) as Record<string, unknown>;
  delete json.$schema;
  return json;
}

const error = { $ref: '#/components/responses/Error' };

/**
 * An OpenAPI 3.0 document generated from the live operations: path params from the path, the
 * rest of the input as query parameters (GET, DELETE) or as the JSON body (POST, PUT, PATCH).
 */
export function buildOpenApi(
  entries: readonly OpenApiEntry[],
  info: { title: string; version: string },
): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const { plugin, operation } of entries) {
    const http = operation.http;
    if (!http) continue;
    const inPath = new Set(pathParams(http.path));
    const required = new Set(requiredKeys(operation.input));
    const rest = Object.fromEntries(Object.entries(operation.input.entries).filter(([key]) => !inPath.has(key)));
    const hasBody = http.method !== 'GET' && http.method !== 'DELETE';
    const parameters = Object.entries(operation.input.entries)
      .filter(([key]) => inPath.has(key) || !hasBody)
      .map(([key, schema]) => ({
        name: key,
        in: inPath.has(key) ? 'path' : 'query',
        required: inPath.has(key) || required.has(key),
        schema: schemaOf(schema),
      }));
    const document: Record<string, unknown> = {
      operationId: `${plugin}.${operation.name}`,
      summary: operation.summary,
      tags: [plugin],
      parameters,
      responses: {
        [String(http.status ?? 200)]: { description: 'Success' },
        ...(Object.keys(operation.input.entries).length > 0 ? { 400: error } : {}),
        ...(operation.access !== 'public' ? { 401: error, 403: error } : {}),
      },
    };
    if (operation.access !== 'public') {
      document.security = [{ bearer: [] }];
      document.description = `Access: ${describeAccess(operation.access)}.`;
    }
    if (operation.tools?.length) document['x-mcp-tools'] = operation.tools.map((tool) => tool.name);
    if (hasBody && Object.keys(rest).length > 0) {
      document.requestBody = {
        required: [...required].some((key) => !inPath.has(key)),
        content: { 'application/json': { schema: schemaOf(v.object(rest)) } },
      };
    }
    (paths[http.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')] ??= {})[http.method.toLowerCase()] = document;
  }
  return {
    openapi: '3.0.3',
    info,
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      responses: {
        Error: {
          description: 'An error: `{ error: message, code: STABLE_CODE, ...details }`',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: { error: { type: 'string' }, code: { type: 'string' } },
                required: ['error', 'code'],
              },
            },
          },
        },
      },
    },
  };
}

import { toJsonSchema } from '@valibot/to-json-schema';
import * as v from 'valibot';
import { type Access, describeAccess } from '../access.js';
import type { GenericSchema } from 'valibot';
import { pathParams, requiredKeys } from './input.js';
import type { Operation } from './operation.js';

/** One served operation as the document lists it. */
export interface OpenApiEntry {
  plugin: string;
  operation: Operation;
}

/**
 * OpenAPI 3.0 wants `required` to list at least one name: an object whose fields are all optional
 * must leave it out rather than say `required: []` (what the converter writes).
 */
function dropEmptyRequired(value: unknown): void {
  if (Array.isArray(value)) return value.forEach(dropEmptyRequired);
  if (typeof value !== 'object' || value === null) return;
  const node = value as Record<string, unknown>;
  if (Array.isArray(node.required) && node.required.length === 0) delete node.required;
  for (const child of Object.values(node)) dropEmptyRequired(child);
}

function schemaOf(schema: GenericSchema): Record<string, unknown> {
  const json = toJsonSchema(schema, { errorMode: 'ignore', target: 'openapi-3.0' }) as Record<string, unknown>;
  delete json.$schema;
  dropEmptyRequired(json);
  return json;
}

const error = { $ref: '#/components/responses/Error' };

/**
 * Who may call, as OpenAPI security requirements (any one of them suffices): an agent's token,
 * the admin key, or (`{}`) nothing at all. Both credentials travel as `Authorization: Bearer`.
 */
function securityOf(access: Access): Record<string, string[]>[] {
  // A public route answers anyone; a token or the admin key may let it say more (/health).
  if (access === 'public') return [{}, { bearer: [] }, { adminKey: [] }];
  if (access === 'admin-or-lead') return [{ adminKey: [] }, { bearer: [] }];
  return [{ bearer: [] }];
}

/** The answers an operation gives: its success, and errors in the one shape with a stable code. */
function responsesOf(operation: Operation): Record<string, unknown> {
  const http = operation.http!;
  const type = http.responseType ?? 'application/json';
  const body = type.startsWith('application/json') ? {} : { type: 'string' };
  return {
    [String(http.status ?? 200)]: { description: 'Success', content: { [type]: { schema: body } } },
    // Any route refuses an unknown field or query parameter, even one that takes none.
    400: error,
    ...(operation.access !== 'public' ? { 401: error, 403: error } : {}),
    429: error,
    default: error,
  };
}

/**
 * An OpenAPI 3.0 document generated from the live operations: path params from the path, the
 * rest of the input as query parameters (GET, DELETE) or as the JSON body (POST, PUT, PATCH).
 * Bodies are strict (`additionalProperties: false`), as the server is.
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
    // A raw route's input is its path and query; its body is bytes for the handler (a signed webhook).
    const inQuery = !hasBody || http.raw === true;
    const parameters = Object.entries(operation.input.entries)
      .filter(([key]) => inPath.has(key) || inQuery)
      .map(([key, schema]) => ({
        name: key,
        in: inPath.has(key) ? 'path' : 'query',
        required: inPath.has(key) || required.has(key),
        schema: schemaOf(schema),
      }));
    const document: Record<string, unknown> = {
      operationId: `${plugin}.${operation.name}`,
      summary: operation.summary,
      description: `Access: ${describeAccess(operation.access)}.`,
      tags: [plugin],
      parameters,
      security: securityOf(operation.access),
      responses: responsesOf(operation),
    };
    if (operation.tools?.length) document['x-mcp-tools'] = operation.tools.map((tool) => tool.name);
    if (hasBody && http.raw) {
      document.requestBody = {
        required: false,
        content: {
          'application/json': { schema: { type: 'object' } },
          'application/octet-stream': { schema: { type: 'string', format: 'binary' } },
        },
      };
    } else if (hasBody && Object.keys(rest).length > 0) {
      document.requestBody = {
        required: [...required].some((key) => !inPath.has(key)),
        content: { 'application/json': { schema: schemaOf(v.strictObject(rest)) } },
      };
    }
    (paths[http.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')] ??= {})[http.method.toLowerCase()] = document;
  }
  return {
    openapi: '3.0.3',
    info: {
      ...info,
      description:
        'Every error is JSON with a stable `code` beside its message; a 400 names the `field`. ' +
        'Unknown body fields and query parameters are refused (400).',
    },
    paths,
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: "An agent's token, as POST /auth returns it (or as the fleet gives a worker it spawns).",
        },
        adminKey: {
          type: 'http',
          scheme: 'bearer',
          description:
            "The fleet's admin key (<dataDir>/admin.key or FLEET_ADMIN_KEY) as the bearer credential: " +
            'it registers agents (POST /auth) and reads fleet-wide views; it is no agent token.',
        },
      },
      schemas: {
        Error: {
          type: 'object',
          properties: {
            error: { type: 'string', description: 'What went wrong, for people' },
            code: { type: 'string', description: 'Stable, for programs (FLEET_INVALID_INPUT, TASKS_TASK_NOT_FOUND)' },
            field: { type: 'string', description: 'The input field at fault (400)' },
          },
          required: ['error', 'code'],
        },
      },
      responses: {
        Error: {
          description: 'An error: `{ error: message, code: STABLE_CODE, ...details }`',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
      },
    },
  };
}

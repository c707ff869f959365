/**
 * Errors an API client or an agent can see. Each carries a stable `code` beside the human `error`
 * text (the seed's messages stay as they are), in the manner of Fastify's `createError(code,
 * message, status)`: callers and tests match the code, people read the message.
 *
 * A plugin declares its codes in one table with `defineErrors`; every code starts with the plugin's
 * name in capitals (`TASKS_TASK_NOT_FOUND`), and the plugin's README lists them.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: Record<string, unknown>;

  constructor(status: number, code: string, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }

  /** The JSON body of an HTTP error: `{ error, code, ...details }`. */
  toJSON(): Record<string, unknown> {
    return { error: this.message, code: this.code, ...this.details };
  }

  /**
   * The text of an MCP error result: it starts with the code; details follow as JSON (the field is
   * already in the message).
   */
  toToolText(): string {
    const { field: _field, ...rest } = this.details;
    const details = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
    return `${this.code}: ${this.message}${details}`;
  }
}

export function isApiError(error: unknown, code?: string): error is ApiError {
  return error instanceof ApiError && (code === undefined || error.code === code);
}

/** `[status, message]`; the message may name parameters in braces: `'Agent {handle} not found'`. */
export type ErrorTemplate = readonly [status: number, message: string];

/** The parameters a message template names. */
type TemplateParams<S extends string> = S extends `${string}{${infer Name}}${infer Rest}`
  ? { [K in Name]: string | number } & TemplateParams<Rest>
  : unknown;

type FactoryArgs<S extends string> = S extends `${string}{${string}}${string}`
  ? [params: TemplateParams<S>, details?: Record<string, unknown>]
  : [params?: Record<string, never>, details?: Record<string, unknown>];

/** One declared error: call it to make the ApiError to throw. */
export interface ErrorFactory<S extends string = string> {
  (...args: FactoryArgs<S>): ApiError;
  readonly code: string;
  readonly status: number;
  readonly template: string;
}

export type ErrorFactories<T extends Record<string, ErrorTemplate>> = {
  readonly [K in keyof T & string]: ErrorFactory<T[K][1]>;
};

/** A plugin's (or the kernel's) table of errors, as the kernel and the README generator read it. */
export interface ErrorTable {
  readonly entries: readonly { code: string; status: number; template: string }[];
}

const ERROR_TABLE = Symbol.for('claude-fleet.error-table');
const CODE = /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$/;

function fill(template: string, params: Record<string, unknown> | undefined): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    params && name in params ? String(params[name]) : whole,
  );
}

/**
 * Declare errors once: `const errors = defineErrors({ TASKS_TASK_NOT_FOUND: [404, 'Task not found'] })`,
 * then `throw errors.TASKS_TASK_NOT_FOUND()`, or with parameters and extra JSON details:
 * `errors.TASKS_BLOCKED({}, { blockedBy })`. Pass the result as the plugin's `errors`.
 */
export function defineErrors<const T extends Record<string, ErrorTemplate>>(table: T): ErrorFactories<T> & ErrorTable {
  const factories: Record<string, unknown> = {};
  const entries: { code: string; status: number; template: string }[] = [];
  for (const [code, [status, template]] of Object.entries(table)) {
    if (!CODE.test(code)) throw new Error(`error code ${code} must be CAPITALS_WITH_UNDERSCORES`);
    if (!Number.isInteger(status) || status < 400 || status > 599)
      throw new Error(`error ${code}: status ${status} is not an HTTP error status`);
    const factory = (params?: Record<string, unknown>, details?: Record<string, unknown>) =>
      new ApiError(status, code, fill(template, params), details);
    Object.assign(factory, { code, status, template });
    factories[code] = factory;
    entries.push({ code, status, template });
  }
  Object.defineProperty(factories, 'entries', { value: entries, enumerable: false });
  Object.defineProperty(factories, ERROR_TABLE, { value: true, enumerable: false });
  return factories as ErrorFactories<T> & ErrorTable;
}

/**
 * One table of several, for a plugin whose parts each declare their own codes (`errors:
 * mergeErrors(queueErrors, auditErrors)`). A code declared twice is a mistake, refused at load.
 */
export function mergeErrors(...tables: readonly ErrorTable[]): ErrorTable {
  const merged: Record<string, ErrorTemplate> = {};
  for (const table of tables) {
    for (const { code, status, template } of table.entries) {
      if (code in merged) throw new Error(`error code ${code} is declared twice`);
      merged[code] = [status, template];
    }
  }
  return defineErrors(merged);
}

/**
 * The kernel's own codes: validation, authentication, access, unknown routes and tools, limits.
 * Messages are the seed's where it had one.
 */
export const fleetErrors = defineErrors({
  FLEET_INVALID_INPUT: [400, '{field}: {message}'],
  FLEET_INVALID_JSON: [400, 'body: is not valid JSON'],
  FLEET_AUTH_REQUIRED: [401, 'Authentication required'],
  FLEET_TOKEN_EXPIRED: [401, 'Token expired'],
  FLEET_TOKEN_REVOKED: [401, 'Token revoked'],
  FLEET_TOKEN_INVALID: [403, 'Invalid token'],
  FLEET_INSUFFICIENT_PERMISSIONS: [403, 'Insufficient permissions'],
  FLEET_FORBIDDEN_HOST: [403, 'Host: not a name of this fleet (add it to server.allowedHosts)'],
  FLEET_FORBIDDEN_ORIGIN: [403, 'Origin: requests from another site are refused'],
  FLEET_ACT_AS_DENIED: [403, '{field}: you may act only as yourself ({handle}); team leads may act for their team'],
  FLEET_OTHER_TEAM: [403, '{field}: you belong to team {own}, not {other}'],
  FLEET_TEAM_NOT_FOUND: [404, 'Team {team} not found'],
  FLEET_ROUTE_NOT_FOUND: [404, 'Not found: {method} {path}'],
  FLEET_METHOD_NOT_ALLOWED: [405, '{method} is not allowed on {path}'],
  FLEET_TOOL_NOT_FOUND: [404, 'Unknown tool: {name}'],
  FLEET_BODY_TOO_LARGE: [413, 'Request body too large (limit {limit} bytes)'],
  FLEET_UNSUPPORTED_MEDIA_TYPE: [415, 'body: expected application/json (got {type})'],
  FLEET_RATE_LIMITED: [429, 'Too many requests. Try again later.'],
  FLEET_INTERNAL: [500, 'Internal server error'],
});

/** A 400 naming the field, in the seed's `field: message` form. */
export function invalidInput(field: string, message: string): ApiError {
  return fleetErrors.FLEET_INVALID_INPUT({ field, message }, { field });
}
